"""Text for comparing versions: NFKC punctuation, traditional → simplified, mojibake repaired or flagged."""

from __future__ import annotations

import re
import unicodedata

import opencc

_T2S = opencc.OpenCC("t2s")
# Pinyin inserted after characters by re-posting sites: 區(qū)委 → 區委.
PINYIN_IN_BRACKETS = re.compile(
    r"[(（]([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*|[a-z]{1,6}[1-5]?)[)）]"
)
# Bytes decoded one byte off leave a '?' glued to a stray ASCII/CJK fragment.
OFF_BY_ONE = re.compile(r"\?[,.。;:，、（(][A-Za-z\u3000-\u9fff（(]?|\?(?=[\s。，,]|$)")
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002-\u200b]+")


def has_mojibake(text: str) -> bool:
    """True for texts carrying the marks of an unofficial re-post (pinyin glosses, '?' fragments)."""
    return bool(PINYIN_IN_BRACKETS.search(text)) or bool(OFF_BY_ONE.search(text))


def repair_mojibake(text: str) -> str:
    """Remove pinyin glosses; re-decode one-byte-off GBK fragments where the bytes allow it."""
    text = PINYIN_IN_BRACKETS.sub("", text)
    return OFF_BY_ONE.sub(_repair_fragment, text)


def unrepaired(text: str) -> bool:
    """True when fragments remain that could not be put back (the text lost bytes for good)."""
    return bool(OFF_BY_ONE.search(repair_mojibake(text)))


_HALF_TO_FULL = {",": "，", ".": "．", ";": "；", ":": "：", "(": "（", ")": "）"}
# A lost lead byte is most often that of a punctuation mark: rows A1 (。、，) and A3 (full-width ASCII).
_LEAD_BYTES = (0xA1, 0xA3)
_PUNCT = set("。，、；：？！…—·“”‘’（）《》〈〉【】「」　")


def _repair_fragment(m: re.Match[str]) -> str:
    """'?,F' → '。現': put a punctuation lead byte back before the re-encoded fragment, if it decodes."""
    frag = m.group(0)
    tail = frag[1:]
    try:
        encoded = "".join(_HALF_TO_FULL.get(ch, ch) for ch in tail).encode("gb18030")
    except UnicodeEncodeError:
        return tail
    for lead in _LEAD_BYTES:
        try:
            fixed = (bytes([lead]) + encoded).decode("gb18030")
        except UnicodeDecodeError:
            continue
        if fixed and fixed[0] in _PUNCT and all(
            "\u4e00" <= ch <= "\u9fff" or ch in _PUNCT for ch in fixed
        ):
            return fixed
    return tail


def _simplified(line: str) -> str:
    """t2s only where needed: a line GB2312 can encode is already simplified (and t2s is slow)."""
    try:
        line.encode("gb2312")
    except UnicodeEncodeError:
        return _T2S.convert(line)
    return line


def normalize_text(text: str) -> str:
    """NFKC (full-width → half-width punctuation and digits), simplified characters, one space runs."""
    text = repair_mojibake(text)
    text = unicodedata.normalize("NFKC", text)
    lines = (_SPACES.sub(" ", _simplified(line)).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)
