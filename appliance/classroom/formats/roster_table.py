"""A roster from a table: the header row is recognised in the languages schools export in, mapped to a name
(one column, or first and last name in either order), an optional card, e-mail and student number; other
columns are ignored. A file without a header is read the old way, `name[,card]` a line.

`preview` never raises for a bad row: it returns what would be imported and every problem, so the class page
can show both before anything is written; `parse` is the same check for an import, all or nothing.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from appliance.classroom.formats.tables import Table
from appliance.classroom.importers import MAX_NAME, MAX_ROWS, InvalidImport, RosterRow, is_number, plan_cards

# Header words, compared without case, accents, spaces or punctuation ("E-Mail" = "email", "Prénom" = "prenom").
# French "Nom" and Italian/Portuguese "Cognome"/"Sobrenome" are the family name; Spanish "Nombre",
# Italian/Portuguese "Nome" the given name; Dutch "Naam" and German "Name" the whole name.
HEADERS = {
    "name": {"name", "names", "student", "students", "studentname", "fullname", "pupil", "pupilname", "learner",
             "displayname", "schuler", "schueler", "schulername", "schuelername", "eleve", "nomcomplet",
             "nometprenom", "alumno", "alumna", "nombrecompleto", "estudiante", "naam", "leerling",
             "volledigenaam", "studente", "nomecompleto", "aluno", "elev", "oppilas", "uczen"},
    "last": {"surname", "lastname", "familyname", "last", "nachname", "familienname", "zuname", "nom",
             "nomdefamille", "apellido", "apellidos", "primerapellido", "achternaam", "familienaam", "cognome",
             "sobrenome", "apelido", "efternamn", "etternavn", "efternavn", "sukunimi", "nazwisko",
             "preferredfamilyname", "preferredlastname"},
    "first": {"forename", "forenames", "firstname", "givenname", "first", "vorname", "vornamen", "prenom",
              "prenoms", "nombre", "nombres", "voornaam", "roepnaam", "nome", "fornavn", "fornamn", "etunimi",
              "imie", "preferredgivenname", "preferredfirstname", "preferredname"},
    "card": {"card", "cardnumber", "cardno", "argus", "arguscard", "karte", "kartennummer", "carte",
             "numerodecarte", "tarjeta", "kaart", "kaartnummer", "scheda", "cartao", "kort"},
    "email": {"email", "emailaddress", "mail", "courriel", "adressemail", "correo", "correoelectronico",
              "emailadres", "posta"},
    "id_number": {"idnumber", "studentid", "studentnumber", "pupilnumber", "sisid", "identifier", "schulernummer",
                  "schuelernummer", "schulerid", "matricule", "numeroeleve", "ine", "leerlingnummer",
                  "matricola", "upn", "candidatenumber"},
}
# A group or team inside the class (for team scores). Not the class itself: "Klasse", "Class", "Form" name it.
HEADERS["team"] = {"group", "groupname", "team", "teamname", "house", "gruppe", "gruppenname", "groupe", "equipe",
                   "grupo", "equipo", "groep", "gruppo", "squadra", "grupa", "ryhma", "lag"}
MAX_TEAM = 40
HEADER_SEARCH_ROWS = 5  # a title row or two above the header is common in school exports


@dataclass(frozen=True)
class RosterPreview:
    rows: tuple[RosterRow, ...]
    problems: tuple[str, ...]
    columns: dict[str, str]  # role → the header text it was read from
    ignored: tuple[str, ...]  # header texts of columns not imported
    header: str | None  # where the header row is, None for a file without one

    def to_json(self, cards: list[int | None]) -> dict:
        return {"ok": not self.problems, "problems": list(self.problems), "header": self.header,
                "columns": self.columns, "ignored": list(self.ignored),
                "students": [{"where": r.where, "name": r.name, "card": card, "card_given": r.card is not None}
                             for r, card in zip(self.rows, cards)]}


def header_key(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _role(text: str) -> str | None:
    key = header_key(text)
    return next((role for role, words in HEADERS.items() if key in words), None)


def _find_header(table: Table) -> tuple[int, dict[str, int]] | None:
    seen = 0
    for index, row in enumerate(table.rows):
        if not any(row):
            continue
        seen += 1
        if seen > HEADER_SEARCH_ROWS:
            return None
        mapping: dict[str, int] = {}
        for column, text in enumerate(row):
            role = _role(text)
            if role and role not in mapping:
                mapping[role] = column
        if {"name", "first", "last"} & set(mapping):
            return index, mapping
    return None


def _check_name(where: str, name: str, problems: list[str]) -> bool:
    if not name:
        problems.append(f"{where}: the name is empty")
    elif len(name) > MAX_NAME:
        problems.append(f"{where}: the name is longer than {MAX_NAME} characters")
    elif any(ord(ch) < 32 for ch in name):
        problems.append(f"{where}: the name contains control characters")
    else:
        return True
    return False


def _card(where: str, raw: str, card_count: int, problems: list[str], hint: str = "") -> tuple[bool, int | None]:
    if not raw:
        return True, None
    if not is_number(raw) or not 1 <= int(raw) <= card_count:
        problems.append(f"{where}: card {raw!r} is not a number from 1 to {card_count}"
                        f"{'' if is_number(raw) else hint}")
        return False, None
    return True, int(raw)


def preview(table: Table, card_count: int, existing_names: set[str] = frozenset()) -> RosterPreview:
    """What importing `table` would add, and every problem; `existing_names` are the class's name_keys."""
    found = _find_header(table)
    problems: list[str] = []
    rows: list[RosterRow] = []
    if found is None:
        start, columns, ignored, header = 0, {}, (), None
    else:
        start, mapping = found
        head = table.rows[start]
        columns = {role: head[column] for role, column in mapping.items()}
        ignored = tuple(text for column, text in enumerate(head) if text and column not in mapping.values())
        header, start = table.where(start), start + 1
    for index in range(start, len(table.rows)):
        cells = table.rows[index]
        if not any(cells):
            continue
        where = table.where(index)
        if len(rows) >= MAX_ROWS:
            problems.append(f"{where}: more than {MAX_ROWS} students")
            break
        if found is None:
            row = _headerless_row(where, cells, card_count, problems)
        else:
            row = _mapped_row(where, cells, found[1], card_count, problems)
        if row is not None:
            rows.append(row)
    _flag_duplicates(rows, existing_names, problems)
    if not rows and not problems:
        problems.append("the file has no students")
    return RosterPreview(tuple(rows), tuple(sorted(problems, key=_line_order)), columns, ignored, header)


def _line_order(problem: str) -> int:
    """Problems in the order of the file's rows, whichever check found them."""
    words = problem.split(" ", 2)
    return int(words[1].rstrip(":")) if len(words) > 1 and words[1].rstrip(":").isdigit() else 0


def _headerless_row(where: str, cells: tuple[str, ...], card_count: int, problems: list[str]) -> RosterRow | None:
    if len(cells) > 2 and any(cells[2:]):
        problems.append(f"{where}: expected 'name' or 'name,card', found {len(cells)} columns; for a school "
                        f"export, keep its header row (e.g. Surname;Forename)")
        return None
    name = cells[0]
    if not _check_name(where, name, problems):
        return None
    ok, card = _card(where, cells[1] if len(cells) > 1 else "", card_count, problems,
                     " (if this column is a first name, add a header row such as Surname,Forename)")
    return RosterRow(where, name, card) if ok else None


def _mapped_row(where: str, cells: tuple[str, ...], mapping: dict[str, int], card_count: int,
                problems: list[str]) -> RosterRow | None:
    def cell(role: str) -> str:
        column = mapping.get(role)
        return cells[column].strip() if column is not None and column < len(cells) else ""

    name = cell("name") or " ".join(part for part in (cell("first"), cell("last")) if part)
    if not _check_name(where, name, problems):
        return None
    ok, card = _card(where, cell("card"), card_count, problems)
    if not ok:
        return None
    return RosterRow(where, name, card, email=cell("email")[:200] or None, id_number=cell("id_number")[:100] or None,
                     team=cell("team")[:MAX_TEAM] or None)


def _flag_duplicates(rows: list[RosterRow], existing_names: set[str], problems: list[str]) -> None:
    """Two students of one class with the same name cannot be told apart on the teacher's screen."""
    first_seen: dict[str, str] = {}
    cards: dict[int, str] = {}
    for r in rows:
        key = name_key(r.name)
        if key in existing_names:
            problems.append(f"{r.where}: {r.name!r} is already in this class: tell them apart (a middle "
                            f"initial, a note) before importing")
        elif key in first_seen:
            problems.append(f"{r.where}: {r.name!r} is also on {first_seen[key]}: tell them apart (a middle "
                            f"initial, a note) before importing")
        first_seen.setdefault(key, r.where)
        if r.card is not None:
            if r.card in cards:
                problems.append(f"{r.where}: card {r.card} is already given to {cards[r.card]}")
            cards.setdefault(r.card, r.where)


def cards_for(result: RosterPreview, taken: set[int], card_count: int) -> tuple[list[int | None], list[str]]:
    """The card each row would get (its own, or the lowest free one), and any clash or shortage."""
    return plan_cards(list(result.rows), taken, card_count)


def parse(table: Table, card_count: int, taken: set[int] = frozenset(),
          existing_names: set[str] = frozenset()) -> list[tuple[RosterRow, int]]:
    """Rows with their cards, or InvalidImport listing every problem: nothing is imported unless all is good."""
    result = preview(table, card_count, existing_names)
    cards, clashes = cards_for(result, taken, card_count)
    problems = list(result.problems) + clashes
    if problems:
        raise InvalidImport(problems)
    return list(zip(result.rows, cards))
