"""Moodle's GIFT question format, in and out. Pure.

Read: multiple choice (`{=right ~wrong ...}`, also with `~%100%` weights), true/false (`{T}` `{F}` `{TRUE}`
`{FALSE}`), a blank in the middle of the text (`The {=sun ~moon} is hot` asks "The _____ is hot"), the
question's `::title::`, `// comments`, `$CATEGORY:` lines, `[html]`/`[markdown]`/`[plain]` markers, `#feedback`
and the escapes `\\~ \\= \\# \\{ \\} \\:`. Left out and reported by line: short answer, matching, numeric,
essay, descriptions, several right answers or partial credit, more than four options. Titles and comments
are read (so they never leak into the question) but Argus questions have no place to keep them. A wrong
answer's `#feedback` is read as the misconception that answer stands for, and written back the same way.
"""
from __future__ import annotations

import html

from appliance.classroom.formats.bank import Bank, finish
from appliance.classroom.importers import validate_question, with_notes
from appliance.classroom.models import Question

_ESCAPES = {"\\~": "\ue000", "\\=": "\ue001", "\\#": "\ue002", "\\{": "\ue003", "\\}": "\ue004", "\\:": "\ue005",
            "\\n": "\n", "\\\\": "\ue006"}
_RESTORE = {v: k[1] for k, v in _ESCAPES.items() if k != "\\n"}
# Tags that end a line of text: they become a space, so "<p>one</p><p>two</p>" reads "one two".
_BLOCK_TAGS = {"p", "br", "div", "li", "ul", "ol", "tr", "td", "table", *(f"h{n}" for n in range(10))}
_MARKUPS = ("[html]", "[markdown]", "[plain]", "[moodle]")


def _hide_escapes(text: str) -> str:
    for escaped, marker in _ESCAPES.items():
        text = text.replace(escaped, marker)
    return text


def _restore(text: str) -> str:
    for marker, char in _RESTORE.items():
        text = text.replace(marker, char)
    return " ".join(text.split())


def _blocks(text: str) -> tuple[list[tuple[int, str]], str]:
    """(first line number, text) of every question, split at blank lines; comments dropped; the last
    $CATEGORY seen (a default quiz title)."""
    blocks, current, start, category = [], [], 0, ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        if stripped.startswith("$CATEGORY:"):
            category = stripped.split(":", 1)[1].strip().replace("$course$/", "").split("/")[-1]
            continue
        if not stripped:
            if current:
                blocks.append((start, "\n".join(current)))
                current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        blocks.append((start, "\n".join(current)))
    return blocks, category


def parse(text: str, title: str = "") -> Bank:
    blocks, category = _blocks(_hide_escapes(text.replace("\r\n", "\n").replace("\r", "\n")))
    questions: list[Question] = []
    skipped: list[str] = []
    problems: list[str] = []
    for number, block in blocks:
        where = f"line {number}"
        result = _question(where, block)
        if isinstance(result, str):
            skipped.append(f"{where}: {result}")
            continue
        kind, text_, options, correct, notes = result
        q = validate_question(where, kind, text_, options, correct, None, problems)
        if q:
            questions.append(with_notes(where, q, None, notes, problems))
    return finish(title or category, questions, skipped, problems)


def _question(where: str, block: str):
    """(kind, text, options, correct letter, {letter: a wrong answer's feedback, read as the misconception it
    stands for}) or the reason the question is left out."""
    body = block.strip()
    if body.startswith("::"):
        end = body.find("::", 2)
        if end < 0:
            return "the title's closing '::' is missing"
        body = body[end + 2:].strip()
    markup = next((m for m in _MARKUPS if body.startswith(m)), None)
    if markup:
        body = body[len(markup):]
    opening = body.find("{")
    if opening < 0:
        return "a description (no answers), not a question"
    closing = body.find("}", opening)
    if closing < 0:
        return "the answers' closing '}' is missing"
    before, answers, after = body[:opening], body[opening + 1:closing], body[closing + 1:]
    if "{" in after:
        return "several answer blocks in one question"
    text = before.strip() + (" _____ " + after.strip() if after.strip() else "")
    as_html = markup == "[html]"
    text = _restore(_plain(text, as_html))
    answers = answers.strip()
    if not answers:
        return "an essay question (no answers): cards cannot ask it"
    if answers.startswith("#"):
        return "a numeric question: cards cannot ask it"
    verdict = answers.split("#", 1)[0].strip().upper()
    if verdict in ("T", "TRUE", "F", "FALSE"):
        return "truefalse", text, ["True", "False"], "A" if verdict.startswith("T") else "B", {}
    if "->" in answers:
        return "a matching question: cards cannot ask it"
    parts = _split_answers(answers)
    if parts and parts[0].strip():
        return "answers must start with = or ~"
    options, right, notes = [], [], {}
    for part in filter(None, parts):
        mark, (rest, _, feedback) = part[0], part[1:].partition("#")
        rest, feedback = rest.strip(), _restore(_plain(feedback.split("#", 1)[0], as_html))
        if mark == "~" and feedback:
            notes["ABCDEFGH"[len(options)] if len(options) < 8 else "?"] = feedback
        weight = _weight(rest)
        credit = 100.0 if mark == "=" else 0.0
        if weight:
            credit, rest = weight[0], rest[weight[1]:].strip()
        if 0 < credit < 100:
            return "partial credit for an answer: a card question has one right answer"
        if credit >= 100:
            right.append(len(options))
        options.append(_restore(_plain(rest, as_html)))
    if not any(p.startswith("~") for p in parts):
        return "a short answer question (no wrong answers to choose from): cards cannot ask it"
    if len(right) != 1:
        return f"{len(right)} right answers: a card question has exactly one"
    if len(options) > 4:
        return f"{len(options)} options: cards show at most 4 (A-D)"
    return "multiple", text, options, "ABCD"[right[0]], notes


def _split_answers(answers: str) -> list[str]:
    """"~a =b ~c" → ["", "~a ", "=b ", "~c"]: a new part before every = or ~."""
    parts, start = [], 0
    for at, ch in enumerate(answers):
        if ch in "=~":
            parts.append(answers[start:at])
            start = at
    parts.append(answers[start:])
    return parts


def _weight(text: str) -> tuple[float, int] | None:
    """"%50%rest" → (50.0, 4): an answer's credit in percent and where the answer starts."""
    if not text.startswith("%"):
        return None
    end = text.find("%", 1)
    number = text[1:end]
    digits = number.removeprefix("-").split(".")
    if end < 0 or len(digits) > 2 or not all(d.isascii() and d.isdigit() for d in digits):
        return None
    return float(number), end + 1


def strip_tags(text: str) -> str:
    """Text without its HTML tags, block tags turned into a space. One pass with str.find, so linear in the
    text whatever it holds: the regexes this replaces went quadratic on "<p" without ">" (100 KB froze the
    appliance for 7 s). A "<" with no ">" after it is text, as is "<>"."""
    out, at, size = [], 0, len(text)
    while at < size:
        opening = text.find("<", at)
        closing = text.find(">", opening + 1) if opening >= 0 else -1
        if closing < 0:
            out.append(text[at:])  # no tag can start after this point: nothing later is a tag either
            break
        if closing == opening + 1:
            out.append(text[at:closing + 1])
            at = closing + 1
            continue
        out.append(text[at:opening])
        name = text[opening + 1:min(closing, opening + 12)].removeprefix("/")
        end = 0
        while end < len(name) and name[end].isascii() and name[end].isalnum():
            end += 1
        out.append(" " if name[:end].lower() in _BLOCK_TAGS else "")
        at = closing + 1
    return "".join(out)


def _plain(text: str, as_html: bool) -> str:
    """Text of an [html] question without its tags (cards and the projector show plain text)."""
    return html.unescape(strip_tags(text)) if as_html else text


def _escape(text: str) -> str:
    for ch in "\\~=#{}:":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", "\\n")


def export(title: str, questions: tuple[Question, ...]) -> str:
    """GIFT for Moodle's Question bank → Import. Polls have no right answer, which GIFT cannot say: they
    are written as comments, so nothing is turned into a question with a made-up answer."""
    lines = [f"// Argus quiz: {title}", f"$CATEGORY: {_escape(title)}", ""]
    for n, q in enumerate(questions, start=1):
        if q.correct is None:
            lines += [f"// Q{n} is a poll (no right answer), left out: {q.text}", ""]
            continue
        if q.kind == "truefalse" and tuple(o.lower() for o in q.options) == ("true", "false"):
            lines += [f"{_escape(q.text)} {{{'T' if q.correct == 'A' else 'F'}}}", ""]
            continue
        # A wrong option's misconception note goes out as its feedback (what Moodle shows on choosing it).
        answers = " ".join(("=" if letter == q.correct else "~") + _escape(option)
                           + (f"#{_escape(q.misconception(letter))}" if q.misconception(letter) else "")
                           for letter, option in zip(q.letters(), q.options))
        lines += [f"{_escape(q.text)} {{{answers}}}", ""]
    return "\n".join(lines)
