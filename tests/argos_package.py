"""Build a tiny but real Argos Translate package (``.argosmodel``) with random weights, offline.

The package has the layout argostranslate loads: one top-level directory holding ``metadata.json``,
``model/`` (a CTranslate2 Transformer written through ctranslate2's spec API, the same way
``ct2-opennmt-py-converter`` writes argos models), ``sentencepiece.model`` (trained here with the
``sentencepiece`` library) and ``README.md``. The weights are random, so translations are garbage:
it proves the loading and translating path, never quality.

Run ``python tests/argos_package.py`` for a demo, ``--bench`` for the standard-size speed figures.
"""

from __future__ import annotations

import io
import json
import random
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sentencepiece as spm
from ctranslate2.specs import common_spec, transformer_spec

# The CTranslate2 vocabulary starts with OpenNMT-py's specials, as in real argos models (onmt_build_vocab).
SPECIALS = ["<unk>", "<blank>", "<s>", "</s>"]
EOS_ID = SPECIALS.index("</s>")
SHARPEN = 4.0  # scale of the decoder's cross-attention query and key weights (see where it is used)
CLOCK_SLOPE = 2.0  # per decoding step, of the decoder's clock dimension (see _eos_ramp)

LANGUAGE_NAMES = {
    "bg": "Bulgarian", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek", "en": "English",
    "es": "Spanish", "et": "Estonian", "fi": "Finnish", "fr": "French", "ga": "Irish", "hr": "Croatian",
    "hu": "Hungarian", "it": "Italian", "lt": "Lithuanian", "lv": "Latvian", "mt": "Maltese", "nl": "Dutch",
    "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "sk": "Slovak", "sl": "Slovenian", "sv": "Swedish",
}


@dataclass(frozen=True)
class ModelSize:
    """Dimensions of the generated Transformer and of its vocabulary."""

    layers: int
    d_model: int
    heads: int
    ffn: int
    sp_vocab: int  # requested SentencePiece size (a soft limit: small corpora give fewer pieces)
    model_vocab: int  # CTranslate2 vocabulary size; padded with never-used filler tokens up to this
    output_tokens: int  # every translation is this many tokens long (see _eos_ramp)
    positions: int  # rows of the position tables (OpenNMT-py's ``pe`` buffer has 5000)


SIZES = {
    # 0.1 s to build, 1 MB, ~500 sentences/s: for tests.
    "tiny": ModelSize(layers=2, d_model=64, heads=4, ffn=128, sp_vocab=1000, model_vocab=0, output_tokens=8,
                     positions=1024),
    # What argos-train builds (OpenNMT-py Transformer base: 6+6 layers, d_model 512, 8 heads, ffn 2048,
    # untied embeddings, shared 50k SentencePiece vocabulary, ct2 int8): for speed benchmarks. 121M
    # parameters, 6 s to build, 132 MB. The SentencePiece model is as big as the corpus allows (~1,100
    # pieces from the default one) and the model vocabulary is padded to 50k, so that embeddings and the
    # output softmax cost what they cost in a real package. 28 output tokens is about a FLORES English
    # sentence (22 words) under a 50k tokenizer.
    "standard": ModelSize(layers=6, d_model=512, heads=8, ffn=2048, sp_vocab=8000, model_vocab=50000,
                          output_tokens=28, positions=5000),
}


def build_argos_package(dest_dir: Path, *, from_code: str = "el", to_code: str = "en",
                        package_version: str = "1.0", size: str = "tiny", seed: int = 0,
                        training_sentences: list[str] | None = None, quantization: str = "int8",
                        output_tokens: int | None = None) -> Path:
    """Write <dest_dir>/translate-<from>_<to>-<version>.argosmodel and return its path.

    Same arguments give a byte-identical file. ``output_tokens`` overrides the size's translation length.
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}, not {size!r}")
    dims = SIZES[size]
    sentences = training_sentences if training_sentences is not None else default_training_sentences(seed)
    version_code = package_version.replace(".", "_")
    name = f"translate-{from_code}_{to_code}-{version_code}"
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / name
        (root / "model").mkdir(parents=True)
        sp_bytes = train_sentencepiece(sentences, dims.sp_vocab)
        (root / "sentencepiece.model").write_bytes(sp_bytes)
        vocab = model_vocabulary(sp_bytes, dims.model_vocab)
        length = dims.output_tokens if output_tokens is None else output_tokens
        spec = transformer_spec_with_random_weights(vocab, dims, seed, length)
        spec.optimize(quantization=quantization)
        spec.save(str(root / "model"))
        (root / "metadata.json").write_text(json.dumps(package_metadata(from_code, to_code, package_version),
                                                       indent=4) + "\n")
        (root / "README.md").write_text(_readme(from_code, to_code, size, seed))
        path = dest_dir / f"{name}.argosmodel"
        _zip_dir(root, path)
    return path


def package_metadata(from_code: str, to_code: str, package_version: str) -> dict[str, object]:
    """The metadata.json of a translate package, as argos-train writes it (plus ``type`` and ``links``)."""
    return {
        "package_version": package_version, "argos_version": "1.0",
        "from_code": from_code, "from_name": LANGUAGE_NAMES.get(from_code, from_code),
        "to_code": to_code, "to_name": LANGUAGE_NAMES.get(to_code, to_code),
        "type": "translate", "links": [],
    }


def train_sentencepiece(sentences: list[str], vocab_size: int) -> bytes:
    """A unigram SentencePiece model (argos-train's settings, all characters kept), as bytes."""
    out = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences), model_writer=out, vocab_size=vocab_size,
        model_type="unigram", character_coverage=1.0,
        hard_vocab_limit=False,  # a few hundred sentences cannot fill a large vocabulary: take what fits
        num_threads=1, minloglevel=2,  # one thread: the same corpus always gives the same model
    )
    return out.getvalue()


def model_vocabulary(sp_model: bytes, size: int = 0) -> list[str]:
    """OpenNMT-py specials + the SentencePiece pieces, padded with filler tokens up to ``size``."""
    sp = spm.SentencePieceProcessor(model_proto=sp_model)
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())
              if not (sp.is_control(i) or sp.is_unknown(i))]
    vocab = SPECIALS + pieces
    vocab += [f"<filler_{i}>" for i in range(size - len(vocab))]
    return vocab


def transformer_spec_with_random_weights(vocab: list[str], dims: ModelSize, seed: int,
                                         output_tokens: int) -> transformer_spec.TransformerSpec:
    """An OpenNMT-py-style pre-norm Transformer spec (shared vocabulary, untied embeddings) with seeded weights."""
    rng = np.random.default_rng(seed)
    d, n = dims.d_model, len(vocab)

    def w(rows: int, cols: int) -> np.ndarray:
        # std 1/sqrt(fan_in) keeps every sublayer's output O(1); with a fixed small scale (0.02) the
        # residual stream is all embeddings and the output hardly depends on the source sentence.
        return rng.standard_normal((rows, cols), dtype=np.float32) * np.float32(1 / np.sqrt(cols))

    def linear(lin: common_spec.LinearSpec, rows: int, cols: int) -> None:
        lin.weight, lin.bias = w(rows, cols), np.zeros(rows, dtype=np.float32)

    def norm(ln: common_spec.LayerNormSpec) -> None:
        ln.gamma, ln.beta = np.ones(d, dtype=np.float32), np.zeros(d, dtype=np.float32)

    spec = transformer_spec.TransformerSpec.from_config(
        (dims.layers, dims.layers), dims.heads, pre_norm=True, activation=common_spec.Activation.RELU)
    enc, dec = spec.encoder, spec.decoder
    enc.embeddings[0].weight = w(n, d)
    enc.position_encodings.encodings = _sinusoids(dims.positions, d)
    norm(enc.layer_norm)
    for layer in enc.layer:
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * d, d)  # fused query/key/value
        linear(layer.self_attention.linear[1], d, d)
        norm(layer.ffn.layer_norm)
        linear(layer.ffn.linear_0, dims.ffn, d)
        linear(layer.ffn.linear_1, d, dims.ffn)
    dec.embeddings.weight = w(n, d)
    dec.position_encodings.encodings = _sinusoids(dims.positions, d)
    norm(dec.layer_norm)
    for layer in dec.layer:
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * d, d)
        linear(layer.self_attention.linear[1], d, d)
        norm(layer.attention.layer_norm)
        linear(layer.attention.linear[0], d, d)  # query
        linear(layer.attention.linear[1], 2 * d, d)  # fused key/value over the encoder output
        linear(layer.attention.linear[2], d, d)
        # Peaked attention over the source: with flat attention a long sentence's context is the
        # average of all its tokens, much the same for every sentence, and so is the output.
        layer.attention.linear[0].weight *= SHARPEN
        layer.attention.linear[1].weight[:d] *= SHARPEN
        norm(layer.ffn.layer_norm)
        linear(layer.ffn.linear_0, dims.ffn, d)
        linear(layer.ffn.linear_1, d, dims.ffn)
    linear(dec.projection, n, d)
    _eos_ramp(spec, vocab, output_tokens)
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.validate()
    return spec


def _eos_ramp(spec: transformer_spec.TransformerSpec, vocab: list[str], output_tokens: int) -> None:
    """Make every translation exactly ``output_tokens`` tokens long, whatever the random weights say.

    A random decoder left alone loops until max_decoding_length (argos's default: 256 steps), which makes
    tests slow and benchmarks meaningless. So residual dimension 0 of the decoder becomes a clock: its
    position-table column is a ramp (CLOCK_SLOPE per step) that crosses the row mean between step
    output_tokens-1 and step output_tokens; token embeddings are zero there and no sublayer reads or
    writes that dimension. The output projection reads it only for </s>, with weight 100: after the final
    layer norm </s> scores far below the best random token before the crossing and far above it after,
    a sharp and deterministic stop that int8 quantization does not blur. Specials and filler tokens get
    a -1e4 output bias so they are never produced: every output token is a real SentencePiece piece.
    """
    dec = spec.decoder
    table = dec.position_encodings.encodings
    # Centred on the row mean, which the final layer norm subtracts (the cos half of the table averages ~0.5).
    table[:, 0] = table[:, 1:].mean(axis=1) + (np.arange(len(table)) - output_tokens + 0.5) * CLOCK_SLOPE
    dec.embeddings.weight[:, 0] = 0.0
    for layer in dec.layer:
        for lin in (layer.self_attention.linear[0], layer.attention.linear[0], layer.ffn.linear_0):
            lin.weight[:, 0] = 0.0  # no sublayer reads the clock...
        for lin in (layer.self_attention.linear[-1], layer.attention.linear[-1], layer.ffn.linear_1):
            lin.weight[0, :] = 0.0  # ...and none writes into it
            lin.bias[0] = 0.0
    proj = dec.projection
    proj.weight[:, 0] = 0.0
    proj.weight[EOS_ID, :] = 0.0
    proj.weight[EOS_ID, 0] = 100.0
    never = [i for i, tok in enumerate(vocab) if i != EOS_ID and (i < len(SPECIALS) or tok.startswith("<filler_"))]
    proj.bias[never] = -1e4


def _sinusoids(rows: int, d: int) -> np.ndarray:
    """OpenNMT-py's position table: sin on even dimensions, cos on odd ones."""
    position = np.arange(rows, dtype=np.float64)[:, None]
    div = np.exp(np.arange(0, d, 2, dtype=np.float64) * -(np.log(10000.0) / d))
    pe = np.zeros((rows, d), dtype=np.float64)
    pe[:, 0::2], pe[:, 1::2] = np.sin(position * div), np.cos(position * div)
    return pe.astype(np.float32)


def _zip_dir(root: Path, path: Path) -> None:
    """Zip ``root`` as its own top-level directory, with fixed timestamps so the bytes are reproducible."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for file in sorted(p for p in root.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{root.name}/{file.relative_to(root).as_posix()}", (1980, 1, 1, 0, 0, 0))
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            with file.open("rb") as src, zf.open(info, "w") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)


def _readme(from_code: str, to_code: str, size: str, seed: int) -> str:
    return (f"# {LANGUAGE_NAMES.get(from_code, from_code)}-{LANGUAGE_NAMES.get(to_code, to_code)} (test package)\n\n"
            f"Generated by integration-watch's tests/argos_package.py (size {size}, seed {seed}).\n"
            "Random weights: the translations are meaningless. For tests and benchmarks only.\n")


# Words per language for the default SentencePiece corpus: Latin with accents, Greek, Cyrillic.
_WORDS = {
    "en": "the council agreed new rules for migrants and refugees who arrive in Europe each year while "
          "cities offer language courses housing work and school places to families",
    "el": "η επιτροπή ενέκρινε νέους κανόνες για τους μετανάστες και τους πρόσφυγες που φτάνουν στην Ελλάδα "
          "οι δήμοι προσφέρουν μαθήματα ελληνικών στέγαση εργασία και σχολεία στις οικογένειες ολοκληρωμένη ένταξη",
    "es": "el gobierno aprobó nuevas políticas de integración para los inmigrantes y refugiados que llegan a "
          "España cada año los municipios ofrecen cursos de español vivienda empleo y educación señalización",
    "fr": "le conseil a adopté des règles nouvelles pour les migrants et les réfugiés qui arrivent en France "
          "chaque année les villes proposent des cours de français un logement un emploi et l’école garçon",
    "it": "il consiglio ha approvato nuove regole per i migranti e i rifugiati che arrivano in Italia ogni anno "
          "i comuni offrono corsi di italiano alloggio lavoro e scuola perché città più",
    "de": "der Rat hat neue Regeln für Migranten und Geflüchtete beschlossen die jedes Jahr nach Deutschland "
          "kommen Städte bieten Sprachkurse Wohnungen Arbeit und Schulplätze für Familien an Straße größer",
    "pt": "o conselho aprovou novas regras para os migrantes e refugiados que chegam a Portugal todos os anos "
          "as câmaras oferecem cursos de português habitação emprego e educação às famílias não",
    "pl": "rada przyjęła nowe zasady dla migrantów i uchodźców którzy co roku przyjeżdżają do Polski miasta "
          "oferują kursy języka polskiego mieszkania pracę i szkoły dla rodzin źródło łączność",
    "sv": "rådet antog nya regler för migranter och flyktingar som kommer till Sverige varje år kommunerna "
          "erbjuder svenskkurser bostäder arbete och skolplatser åt familjer",
    "ro": "consiliul a adoptat reguli noi pentru migranții și refugiații care sosesc în România în fiecare an "
          "orașele oferă cursuri de limba română locuințe muncă și școli familiilor",
    "cs": "rada schválila nová pravidla pro migranty a uprchlíky kteří každý rok přicházejí do Česka města "
          "nabízejí kurzy češtiny bydlení práci a školy pro rodiny řeč",
    "hu": "a tanács új szabályokat fogadott el a migránsok és menekültek számára akik minden évben érkeznek "
          "Magyarországra a városok nyelvtanfolyamot lakhatást munkát és iskolát kínálnak őszintén",
    "bg": "съветът прие нови правила за мигрантите и бежанците които пристигат в България всяка година "
          "общините предлагат курсове по български език жилища работа и училища за семействата",
    "mt": "il-kunsill approva regoli ġodda għall-migranti u r-refuġjati li jaslu f’Malta kull sena ħafna żgħar",
}
_ALPHABETS = [
    "".join(chr(c) for c in range(0x21, 0x7F)),  # ASCII
    "".join(chr(c) for c in range(0xC0, 0x180) if c not in (0xD7, 0xF7)),  # Latin-1 letters + Latin Extended-A
    "".join(chr(c) for c in range(0x386, 0x3CF) if chr(c).isalpha()),  # Greek with tonos and dialytika
    "".join(chr(c) for c in range(0x410, 0x450)),  # Cyrillic
    "«»„“”‘’–—…€£°%§·;ș ț Ș Ț",
]


def default_training_sentences(seed: int = 0, per_language: int = 30) -> list[str]:
    """A few hundred deterministic sentences in 14 languages and 3 scripts, plus every letter they use."""
    rnd = random.Random(seed)
    sentences = list(_ALPHABETS)
    for lang, text in _WORDS.items():
        words = text.split()
        for _ in range(per_language):
            picked = rnd.sample(words, rnd.randint(5, min(14, len(words))))
            if rnd.random() < 0.3:
                picked.insert(rnd.randrange(len(picked)), str(rnd.randint(1, 2030)))
            if rnd.random() < 0.2:
                picked.insert(rnd.randrange(len(picked)), rnd.choice(["«", "„", "\""]) + rnd.choice(words) +
                              rnd.choice(["»", "“", "\""]))
            sentence = " ".join(picked)
            sentences.append(sentence[0].upper() + sentence[1:] + rnd.choice([".", ".", ".", "?", "!", ":", ","]))
    return sentences


def _demo() -> None:
    import os
    import time

    import ctranslate2

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        path = build_argos_package(Path(tmp))
        print(f"built {path.name}: {path.stat().st_size / 1e6:.2f} MB in {time.perf_counter() - start:.2f} s")
        with zipfile.ZipFile(path) as zf:
            print("\n".join(f"  {i.filename} {i.file_size}" for i in zf.infolist()))
            zf.extractall(tmp)
        pkg_dir = Path(tmp) / path.name.removesuffix(".argosmodel")
        for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "ARGOS_PACKAGES_DIR"):
            os.environ[var] = str(Path(tmp) / var.lower())  # argostranslate creates these folders on import
        from argostranslate.package import Package

        pkg = Package(pkg_dir)
        translator = ctranslate2.Translator(str(pkg_dir / "model"), device="cpu")
        for text in ["Η Επιτροπή ενέκρινε το σχέδιο δράσης για την ένταξη.", "Καλημέρα σας!"]:
            tokens = pkg.tokenizer.encode(text)
            result = translator.translate_batch([tokens], beam_size=1, max_decoding_length=32)
            print(f"{pkg}: {text!r} -> {tokens} -> {pkg.tokenizer.decode(result[0].hypotheses[0])!r}")


def _bench(n: int = 200) -> None:
    """Build the standard package and time translate_batch on FLORES el-en (sentences 0..n-1).

    SentencePiece is trained on the other FLORES Greek and English sentences (n..1011), not on the
    timed ones: a real 50k argos tokenizer cuts Greek into far fewer pieces than one trained on the
    default few hundred sentences, and source length drives encoder cost.
    """
    import time

    import ctranslate2

    flores = Path(__file__).resolve().parents[2] / "shared/evaldata/mt/flores200_devtest/el-en.jsonl"
    rows = [json.loads(line) for line in flores.read_text(encoding="utf-8").splitlines()]
    timed = [r["src"].strip() for r in rows[:n]]
    train = [r[k].strip() for r in rows[n:] for k in ("src", "ref")] + default_training_sentences()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        path = build_argos_package(Path(tmp), size="standard", training_sentences=train)
        built = time.perf_counter() - start
        with zipfile.ZipFile(path) as zf:
            model_bin = next(i.file_size for i in zf.infolist() if i.filename.endswith("model.bin"))
            zf.extractall(tmp)
        pkg_dir = Path(tmp) / path.name.removesuffix(".argosmodel")
        print(f"standard: built in {built:.1f} s, {path.stat().st_size / 1e6:.1f} MB zipped, "
              f"model.bin {model_bin / 1e6:.1f} MB")
        sp = spm.SentencePieceProcessor(model_file=str(pkg_dir / "sentencepiece.model"))
        batch = [sp.encode(s, out_type=str) for s in timed]
        words = sum(len(s.split()) for s in timed)
        print(f"SentencePiece {sp.get_piece_size()} pieces; source {sum(map(len, batch)) / n:.1f} tokens/sentence "
              f"({sum(map(len, batch)) / words:.2f} per word)")
        translator = ctranslate2.Translator(str(pkg_dir / "model"), device="cpu", intra_threads=2)
        translator.translate_batch(batch[:8], beam_size=1)  # warm-up
        runs = {"beam 1, batches of 32 sentences": dict(beam_size=1, max_batch_size=32),
                "beam 4, batches of 32 sentences": dict(beam_size=4, max_batch_size=32),
                "argos's own call (beam 4, batches of 32 tokens)": dict(
                    beam_size=4, max_batch_size=32, batch_type="tokens", length_penalty=0.2, replace_unknowns=True)}
        for label, options in runs.items():
            start = time.perf_counter()
            out = translator.translate_batch(batch, **options)
            secs = time.perf_counter() - start
            length = sum(len(r.hypotheses[0]) for r in out) / n
            print(f"{label}: {n} sentences in {secs:.2f} s = {n / secs:.1f} sentences/s "
                  f"(output {length:.1f} tokens/sentence)")

if __name__ == "__main__":
    import sys

    _bench() if "--bench" in sys.argv else _demo()
