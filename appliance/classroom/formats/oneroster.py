"""OneRoster 1.1 and 1.2 CSV rosters (a zip of manifest.csv, orgs, users, classes, enrollments, courses and
academicSessions) into classes of students; and the plan for re-importing next term's file, matched by
sourcedId. Pure: the zip's members in, classes or plans out; every problem names its file and line.

Only `bulk` files are read (a `delta` file describes changes to a roster we would need the school's full
copy of). Students are the users enrolled with role `student`; teachers (role `teacher`) are only used to
find an existing account: accounts are never created from a file.
"""
from __future__ import annotations

import csv
import io
import posixpath
from dataclasses import dataclass

from appliance.classroom.importers import MAX_NAME, InvalidImport

REQUIRED = ("manifest.csv", "orgs.csv", "users.csv", "classes.csv", "enrollments.csv")
REFERENCED = ("courses.csv", "academicSessions.csv")
COLUMNS = {
    "orgs.csv": ("sourcedId", "name"),
    "users.csv": ("sourcedId", "givenName", "familyName"),
    "classes.csv": ("sourcedId", "title", "courseSourcedId", "schoolSourcedId", "termSourcedIds"),
    "enrollments.csv": ("sourcedId", "classSourcedId", "userSourcedId", "role"),
    "courses.csv": ("sourcedId", "title"),
    "academicSessions.csv": ("sourcedId", "title"),
}
MAX_CLASSES = 500
MAX_PROBLEMS = 50


@dataclass(frozen=True)
class Person:
    sourced_id: str
    name: str
    middle: str
    identifier: str | None
    email: str | None
    username: str | None


@dataclass(frozen=True)
class RosterClass:
    where: str  # "classes.csv line 4"
    sourced_id: str
    title: str
    course: str
    term_sourced_id: str | None
    term: str
    students: tuple[Person, ...]
    teachers: tuple[Person, ...]


@dataclass(frozen=True)
class RosterFile:
    version: str
    classes: tuple[RosterClass, ...]
    told_apart: tuple[str, ...]  # students of one class with the same name, and how they are now shown


@dataclass(frozen=True)
class Row:
    where: str
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column.lower(), "").strip()


class _Problems(list):
    def add(self, message: str) -> None:
        if len(self) < MAX_PROBLEMS:
            self.append(message)

    def check(self) -> None:
        if self:
            raise InvalidImport(list(self))


def _root(members: dict[str, bytes]) -> str:
    manifests = sorted((n for n in members if posixpath.basename(n) == "manifest.csv"), key=len)
    if not manifests:
        raise InvalidImport(["manifest.csv: not in the zip; this is not a OneRoster CSV export"])
    return posixpath.dirname(manifests[0])


def _read_csv(name: str, data: bytes, problems: _Problems) -> list[Row]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.add(f"{name} byte {exc.start}: not UTF-8 text (OneRoster files are UTF-8)")
        return []
    if "\x00" in text:
        problems.add(f"{name}: contains NUL bytes: not a CSV text file")
        return []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[Row] = []
    start = 1
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        if not any(header):
            problems.add(f"{name} line 1: the header row is missing")
            return []
        for wanted in COLUMNS.get(name, ()):
            if wanted.lower() not in header:
                problems.add(f"{name} line 1: the column {wanted!r} is missing")
        start = reader.line_num + 1
        for cells in reader:
            where = f"{name} line {start}"
            start = reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                problems.add(f"{where}: {len(cells)} fields, the header has {len(header)}")
                continue
            rows.append(Row(where, dict(zip(header, cells))))
    except csv.Error as exc:
        # The line the broken record starts on: an unclosed quote is only noticed at the end of the file.
        problems.add(f"{name} line {start if rows or start > 1 else reader.line_num}: not valid CSV ({exc})")
    return [r for r in rows if r.get("status").lower() != "tobedeleted"]


def _manifest(rows: list[Row], problems: _Problems) -> tuple[str, dict[str, str]]:
    props = {r.get("propertyName"): (r.get("value"), r.where) for r in rows}
    version, where = props.get("oneroster.version", ("", "manifest.csv line 1"))
    if version not in ("1.1", "1.2"):
        problems.add(f"{where}: oneroster.version is {version!r}; OneRoster 1.1 and 1.2 are read")
    modes = {}
    for name in REQUIRED[1:] + REFERENCED:
        stem = name.removesuffix(".csv")
        mode, where = props.get(f"file.{stem}", ("", "manifest.csv"))
        modes[name] = mode.lower()
        if mode.lower() == "delta":
            problems.add(f"{where}: file.{stem} is 'delta': only bulk files can be imported (export the full "
                         f"roster)")
        elif name in REQUIRED and mode.lower() != "bulk":
            problems.add(f"{where}: file.{stem} must be 'bulk', found {mode!r}")
    return version, modes


def _person(row: Row) -> Person:
    given = row.get("preferredGivenName") or row.get("givenName")
    family = row.get("preferredFamilyName") or row.get("familyName")
    name = " ".join(p for p in (given, family) if p) or row.get("username") or row.get("sourcedId")
    return Person(row.get("sourcedId"), name[:MAX_NAME], row.get("middleName"), row.get("identifier") or None,
                  row.get("email") or None, row.get("username") or None)


def _by_id(rows: list[Row], problems: _Problems) -> dict[str, Row]:
    found: dict[str, Row] = {}
    for r in rows:
        sid = r.get("sourcedId")
        if not sid:
            problems.add(f"{r.where}: the sourcedId is empty")
        elif sid in found:
            problems.add(f"{r.where}: sourcedId {sid!r} is also on {found[sid].where.split(' ', 1)[1]}")
        else:
            found[sid] = r
    return found


def parse(members: dict[str, bytes]) -> RosterFile:
    root = _root(members)
    problems = _Problems()
    tables: dict[str, list[Row]] = {}
    for name in REQUIRED + REFERENCED:
        data = members.get(posixpath.join(root, name))
        if data is None:
            problems.add(f"{name}: not in the zip (a OneRoster roster needs {', '.join(REQUIRED + REFERENCED)})")
            continue
        tables[name] = _read_csv(name, data, problems)
    problems.check()
    version, _ = _manifest(tables["manifest.csv"], problems)
    orgs, users = _by_id(tables["orgs.csv"], problems), _by_id(tables["users.csv"], problems)
    courses, terms = _by_id(tables["courses.csv"], problems), _by_id(tables["academicSessions.csv"], problems)
    classes = _by_id(tables["classes.csv"], problems)
    if len(classes) > MAX_CLASSES:
        problems.add(f"classes.csv: {len(classes)} classes; at most {MAX_CLASSES} are imported at once")
    for c in classes.values():
        if not c.get("title"):
            problems.add(f"{c.where}: the title is empty")
        if c.get("courseSourcedId") not in courses:
            problems.add(f"{c.where}: course {c.get('courseSourcedId')!r} is not in courses.csv")
        if c.get("schoolSourcedId") not in orgs:
            problems.add(f"{c.where}: school {c.get('schoolSourcedId')!r} is not in orgs.csv")
        for term in filter(None, (t.strip() for t in c.get("termSourcedIds").split(","))):
            if term not in terms:
                problems.add(f"{c.where}: academic session {term!r} is not in academicSessions.csv")
    members_of: dict[str, dict[str, list[Row]]] = {}
    for e in tables["enrollments.csv"]:
        if e.get("classSourcedId") not in classes:
            problems.add(f"{e.where}: class {e.get('classSourcedId')!r} is not in classes.csv")
        elif e.get("userSourcedId") not in users:
            problems.add(f"{e.where}: user {e.get('userSourcedId')!r} is not in users.csv")
        else:
            by_role = members_of.setdefault(e.get("classSourcedId"), {})
            by_role.setdefault(e.get("role").lower(), []).append(users[e.get("userSourcedId")])
    problems.check()
    result, told_apart = [], []
    for sid, c in classes.items():
        enrolled = members_of.get(sid, {})
        students = _distinct([_person(u) for u in _unique(enrolled.get("student", []))], c.where, told_apart)
        term_ids = [t.strip() for t in c.get("termSourcedIds").split(",") if t.strip()]
        term = terms[term_ids[0]].get("title") if term_ids else ""
        course = courses[c.get("courseSourcedId")].get("title")
        teachers = tuple(_person(u) for u in _unique(enrolled.get("teacher", [])))
        result.append(RosterClass(c.where, sid, c.get("title")[:MAX_NAME], course, term_ids[0] if term_ids else None,
                                  term, tuple(students), teachers))
    return RosterFile(version, tuple(result), tuple(told_apart))


def _unique(rows: list[Row]) -> list[Row]:
    seen: dict[str, Row] = {}
    for r in rows:
        seen.setdefault(r.get("sourcedId"), r)
    return list(seen.values())


def _distinct(people: list[Person], where: str, told_apart: list[str]) -> list[Person]:
    """Students of one class with one name are told apart by their middle initial, else their student
    number (or username, or sourcedId), and the import reports it."""
    by_name: dict[str, list[Person]] = {}
    for p in people:
        by_name.setdefault(p.name.casefold(), []).append(p)
    result = []
    for p in people:
        same = by_name[p.name.casefold()]
        if len(same) == 1:
            result.append(p)
            continue
        given, _, family = p.name.rpartition(" ")
        initials = [q.middle[:1].casefold() for q in same]
        if p.middle and given and initials.count(p.middle[:1].casefold()) == 1:
            shown = f"{given} {p.middle[0]}. {family}"
        else:
            shown = f"{p.name} ({p.identifier or p.username or p.sourced_id})"
        told_apart.append(f"{where}: {len(same)} students named {p.name!r}: {p.sourced_id} is shown as {shown!r}")
        result.append(Person(p.sourced_id, shown[:MAX_NAME], p.middle, p.identifier, p.email, p.username))
    return result


@dataclass(frozen=True)
class Existing:
    """A student already in the class on the appliance."""
    id: int
    sourced_id: str | None
    name: str
    card: int
    archived: bool


@dataclass(frozen=True)
class ClassPlan:
    add: tuple[tuple[Person, int], ...]
    update: tuple[tuple[int, Person], ...]  # current students: name and ids refreshed, card kept
    restore: tuple[tuple[int, Person, int], ...]  # archived students back in the class, with a card
    archive: tuple[int, ...]  # left the class: archived, results kept, card freed


def plan_class(cls: RosterClass, existing: list[Existing], card_count: int) -> ClassPlan:
    """What re-importing `cls` changes, by sourcedId. Nobody who stays changes card; newcomers and returners
    get free cards (a returner their old one if it is still free). Students added by hand are left alone."""
    by_sid = {e.sourced_id: e for e in existing if e.sourced_id}
    in_file = {p.sourced_id for p in cls.students}
    taken = {e.card for e in existing if not e.archived and (e.sourced_id is None or e.sourced_id in in_file)}
    free = [n for n in range(1, card_count + 1) if n not in taken]
    add, update, restore = [], [], []
    need = [p for p in cls.students if p.sourced_id not in by_sid or by_sid[p.sourced_id].archived]
    if len(need) > len(free):
        raise InvalidImport([f"{cls.where}: class {cls.title!r} needs {len(need)} more cards, "
                             f"{len(free)} are free (cards go up to {card_count})"])
    # Returners first get their old card back when it is free; then everyone else the lowest free ones.
    own = {p.sourced_id: by_sid[p.sourced_id].card for p in need
           if p.sourced_id in by_sid and by_sid[p.sourced_id].card in free}
    free = [n for n in free if n not in own.values()]
    for p in cls.students:
        e = by_sid.get(p.sourced_id)
        if e is not None and not e.archived:
            update.append((e.id, p))
            continue
        card = own.get(p.sourced_id) or free.pop(0)
        if e is None:
            add.append((p, card))
        else:
            restore.append((e.id, p, card))
    archive = tuple(e.id for e in existing if e.sourced_id and not e.archived and e.sourced_id not in in_file)
    return ClassPlan(tuple(add), tuple(update), tuple(restore), archive)


def match_teacher(cls: RosterClass, usernames: dict[str, int]) -> tuple[int | None, str | None]:
    """(account id, matched as) for the first teacher of the class with an account whose username is the
    teacher's username or e-mail (case-insensitive); (None, None) when none has one."""
    for t in cls.teachers:
        for key in (t.username, t.email):
            if key and key.casefold() in usernames:
                return usernames[key.casefold()], key
    return None, None
