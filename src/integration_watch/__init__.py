"""integration-watch: crawl, extract, detect language and search EU integration-policy reporting."""

__version__ = "0.1.0"
