"""How one piece of text's scores per language become a language and a confidence, and how the page's
evidence (priors: its ``lang``, the source's languages, the document's main language) counts for short or
unsure text. The scores themselves come from ``language.LanguageDetector``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SHORT_LETTERS = 40  # below this many letters, text is "short": priors count
LOW_CONFIDENCE = 0.7  # below this confidence, priors count too
EXPECTED_PRIOR = 4.0  # a language the source expects (3.0 before word evidence)
_TEMPERATURE_NGRAMS = 25.0  # confidence tempering (see confidence)


@dataclass(slots=True)
class Scored:
    """The evidence for one piece of text; ``decide(priors)`` turns it into a language."""

    langs: list[str]
    scores: np.ndarray  # log-probability per language of `langs` (empty when fixed)
    n: int  # n-grams scored
    letters: int
    weak: dict[str, float]  # Irish / Maltese evidence, for when the page names them
    fixed_lang: str | None = None  # decided by script or a rule, not by scores
    fixed_conf: float = 0.0

    @classmethod
    def fixed(cls, lang: str, conf: float, letters: int) -> Scored:
        return cls([], np.zeros(0), 0, letters, {}, lang, conf)

    @property
    def needs_priors(self) -> bool:
        if self.fixed_lang is not None:
            return False
        return self.letters < SHORT_LETTERS or self._plain()[1] < LOW_CONFIDENCE

    def _plain(self) -> tuple[str, float]:
        return confidence(self.langs, self.scores, self.n)

    def decide(self, priors: dict[str, float]) -> tuple[str | None, float]:
        if self.fixed_lang is not None:
            return self.fixed_lang, self.fixed_conf
        lang, conf = self._plain()
        if not priors or not self.needs_priors:
            return lang, conf
        # Irish / Maltese named by the page, with some evidence in the text itself.
        for rule_lang, evidence in self.weak.items():
            if priors.get(rule_lang, 0.0) >= EXPECTED_PRIOR and evidence >= 0.2:
                return rule_lang, min(0.9, 0.4 + evidence)
        # The shorter the text, the less its own n-grams say, the more the page counts.
        scale = 1.0 + 2.0 * max(0.0, 1.0 - self.letters / SHORT_LETTERS)
        shifted = self.scores + scale * np.array([priors.get(x, 0.0) for x in self.langs])
        chosen, conf_with_priors = confidence(self.langs, shifted, self.n)
        if chosen == lang:
            return lang, max(conf, conf_with_priors)
        # The page's evidence changed the answer: only half as sure as it would say.
        own = confidence(self.langs, self.scores, self.n, of=chosen)[1]
        return chosen, 0.5 * (conf_with_priors + own)


def confidence(
    langs: list[str], scores: np.ndarray, n: int, of: str | None = None
) -> tuple[str, float]:
    """Best language and a tempered posterior.

    The naive-Bayes posterior over hundreds of n-grams is always ~1; dividing the log
    scores by a temperature that grows with the number of n-grams gives a confidence that
    is low for short or ambiguous text and high for clear text.
    """
    best = int(np.argmax(scores))
    temperature = 1.0 + n / _TEMPERATURE_NGRAMS
    z = (scores - scores[best]) / temperature
    probs = np.exp(z)
    pick = best if of is None else langs.index(of)
    conf = float(probs[pick] / probs.sum())
    # Short texts cannot be very sure whatever the margin.
    conf *= min(1.0, 0.55 + n / 60.0)
    return langs[pick], max(0.0, min(1.0, conf))
