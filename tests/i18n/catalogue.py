"""What the completeness tests read: the strings the code asks to translate (as `make
translations` extracts them), each language's catalogue, and text a template shows outside a
translation call."""

from __future__ import annotations

import re
from configparser import ConfigParser
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from coprod.i18n import SOURCE, TRANSLATIONS, languages

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "_nl": (1, 2)}

# Words a template may show as they are, in every language (names and symbols, not prose).
UNTRANSLATED = {"coprod", "CSV", "PDF", "iCal", "UTC", "API", "OpenAPI", "ID"}
# Attributes whose values a reader sees or hears.
SHOWN_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "data-label"}
LETTERS = re.compile(r"[^\W\d_]{2,}")
JINJA = re.compile(r"{{.*?}}|{%-?\s*(?!trans\b|endtrans\b|pluralize\b).*?-?%}", re.S)
COMMENT = re.compile(r"{#.*?#}", re.S)
TRANS_BLOCK = re.compile(r"{%-?\s*trans\b.*?%}.*?{%-?\s*endtrans\s*-?%}", re.S)


def _method_map() -> list[tuple[str, str]]:
    parser = ConfigParser()
    parser.read(TRANSLATIONS / "babel.cfg")
    out = []
    for section in parser.sections():
        method, _, pattern = section.partition(":")
        out.append((pattern.strip(), method.strip()))
    return out


def _not_hidden(dirpath: str) -> bool:
    """Every folder but hidden ones (.venv, .git): templates/_macros is extracted too, as
    `make translations` does (--ignore-dirs ".*"; Babel's default also skips "_*")."""
    return not Path(dirpath).name.startswith(".")


@cache
def extracted() -> frozenset[str | tuple[str, ...]]:
    """Every msgid the code and templates ask for (a plural as its (singular, plural))."""
    found: set[str | tuple[str, ...]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), _method_map(), keywords=KEYWORDS, directory_filter=_not_hidden
    ):
        found.add(tuple(message) if isinstance(message, list | tuple) else message)
    return frozenset(m for m in found if m)


def read_catalogue(code: str) -> Catalog:
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=code)


def translations() -> list[str]:
    return [code for code in languages() if code != SOURCE]


def catalogue_ids(catalog: Catalog) -> frozenset[str | tuple[str, ...]]:
    return frozenset(
        tuple(m.id) if isinstance(m.id, list | tuple) else m.id for m in catalog if m.id
    )


def untranslated(catalog: Catalog) -> list[str]:
    """msgids with an empty (or fuzzy) translation in any of their forms."""
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, list | tuple) else [message.string]
        if message.fuzzy or not all(s and s.strip() for s in strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


@dataclass(frozen=True)
class Loose:
    """Text a template shows outside a translation call."""

    template: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.template}:{self.line}: {self.text!r}"


class _TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            # An <input type="submit"> shows its value; a <button>'s value is never shown.
            shown = name in SHOWN_ATTRIBUTES or (
                tag == "input"
                and name == "value"
                and (("type", "submit") in attrs or ("type", "button") in attrs)
            )
            if shown and value:
                self._keep(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._keep(data)

    def _keep(self, text: str) -> None:
        words = [w for w in LETTERS.findall(text) if w not in UNTRANSLATED]
        if words:
            self.found.append((self.getpos()[0], " ".join(text.split())))


def _blank(match: re.Match[str]) -> str:
    """A Jinja tag or translated block, replaced by as many newlines (lines keep their numbers)."""
    return "\x00" + "\n" * match.group(0).count("\n")


def loose_text(path: Path) -> list[Loose]:
    """User-visible text in a template outside `_()`, `{% trans %}` and the like."""
    source = path.read_text(encoding="utf-8")
    for pattern in (COMMENT, TRANS_BLOCK, JINJA):
        source = pattern.sub(_blank, source)
    name = str(path.relative_to(TEMPLATES))
    if path.suffix == ".txt":
        return [
            Loose(name, n, line.strip())
            for n, line in enumerate(source.splitlines(), 1)
            if [w for w in LETTERS.findall(line) if w not in UNTRANSLATED]
        ]
    finder = _TextFinder()
    finder.feed(source)
    finder.close()
    return [Loose(name, line, text.replace("\x00", "…")) for line, text in finder.found]


def templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".txt"))


# --- reading a page against the English catalogue -------------------------------------------

PUNCTUATION = " .,:;!?()\"'/\u2014\u2013\u2026\u00b7\u201c\u201d-"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%%|<[^>]+>|\{\{.*?\}\}")


@cache
def _english_patterns() -> tuple[re.Pattern[str], ...]:
    """A pattern for each English phrase the Spanish catalogue translates differently: every
    msgid's text between its placeholders, of two words or more (or a whole one-word msgid).
    Found in a Spanish page, such a phrase is English a reader meets."""
    phrases: set[str] = set()
    for message in read_catalogue("es"):
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = message.string if isinstance(message.string, list | tuple) else [message.string]
        for english in ids:
            if english in strings:
                continue  # the same in both languages ("Email", "Total", a name)
            pieces = PLACEHOLDER.split(english)
            for piece in pieces:
                text = " ".join(piece.split()).strip(PUNCTUATION)
                words = LETTERS.findall(text)
                whole_word = len(pieces) == 1 and len(words) == 1 and len(text) >= 3
                if (len(words) >= 2 or whole_word) and not any(text in s for s in strings):
                    phrases.add(text)
    return tuple(re.compile(rf"(?<![\w]){re.escape(p)}(?![\w])") for p in sorted(phrases, key=len))


def english_left_in(text: str) -> list[str]:
    """The catalogue's English phrases found in text that should be all Spanish."""
    flat = " ".join(text.split())
    return sorted({p.pattern for p in _english_patterns() if p.search(flat)})[:20]


@cache
def _spanish_table() -> dict[str, str]:
    return {
        m.id: m.string
        for m in read_catalogue("es")
        if isinstance(m.id, str) and isinstance(m.string, str) and m.string
    }


def spanish(english: str) -> str:
    """The Spanish catalogue's translation of a msgid (a browser test finds buttons by it)."""
    return _spanish_table()[english]


# --- Python: messages a person reads, raised or flashed as bare English ---------------------

# Calls whose argument at that position is shown to a person.
SHOWN_ARGUMENTS = {
    "flash": 0,
    "Invalid": 1,
    "Conflict": 0,
    "NotAllowed": 0,
    "NotFound": 0,
    "ValidationError": 0,
    "StopValidation": 0,
}


def loose_python_messages() -> list[str]:
    """`flash("...")`, `raise Invalid("field", "...")` and the like with an English literal
    (or an f-string) instead of a translation call, in coprod/."""
    import ast

    found = []
    for path in sorted((ROOT / "coprod").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            position = SHOWN_ARGUMENTS.get(name or "")
            if position is None or len(node.args) <= position:
                continue
            arg = node.args[position]
            literal = isinstance(arg, ast.JoinedStr) or (
                isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
                and LETTERS.search(arg.value)
            )
            if literal:
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                found.append(f"{where}: {name}({ast.unparse(arg)[:60]})")
    return found
