"""Files as school systems write them, made in the test: OneRoster CSV zips and spreadsheets."""
from __future__ import annotations

import csv
import io
import zipfile

from appliance.classroom.formats import tables

USERS_11 = ["sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username",
            "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
            "agentSourcedIds", "grades", "password"]
USERS_12 = ["sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName",
            "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades",
            "password", "userMasterIdentifier", "resourceSourcedIds", "preferredGivenName", "preferredMiddleName",
            "preferredFamilyName", "primaryOrgSourcedId", "pronouns"]


def csv_bytes(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode()


def zip_bytes(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def oneroster_files(classes: dict[str, list[tuple]], teachers: dict[str, tuple] | None = None,
                    version: str = "1.1") -> dict[str, bytes]:
    """classes: class sourcedId → [(user sourcedId, given, family, middle, identifier, email)] students;
    teachers: class sourcedId → (user sourcedId, username, email)."""
    teachers = teachers or {}
    header = USERS_11 if version == "1.1" else USERS_12
    users, enrollments, seen = [header], [["sourcedId", "status", "dateLastModified", "classSourcedId",
                                           "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate",
                                           "endDate"]], set()

    def user(sid, role, given, family, middle="", identifier="", email="", username=""):
        if sid in seen:
            return
        seen.add(sid)
        values = {"sourcedId": sid, "enabledUser": "true", "orgSourcedIds": "school1", "role": role,
                  "username": username or f"{given}.{family}".lower(), "givenName": given, "familyName": family,
                  "middleName": middle, "identifier": identifier, "email": email, "primaryOrgSourcedId": "school1"}
        users.append([values.get(column, "") for column in header])

    for class_sid, students in classes.items():
        for sid, given, family, middle, identifier, email in students:
            user(sid, "student", given, family, middle, identifier, email)
            enrollments.append([f"e-{class_sid}-{sid}", "", "", class_sid, "school1", sid, "student", "false", "", ""])
        if class_sid in teachers:
            sid, username, email = teachers[class_sid]
            user(sid, "teacher", "Teacher", sid, username=username, email=email)
            enrollments.append([f"e-{class_sid}-{sid}", "", "", class_sid, "school1", sid, "teacher", "true", "", ""])
    return {
        "manifest.csv": csv_bytes([["propertyName", "value"], ["manifest.version", "1.0"],
                                   ["oneroster.version", version], ["file.academicSessions", "bulk"],
                                   ["file.classes", "bulk"], ["file.courses", "bulk"], ["file.enrollments", "bulk"],
                                   ["file.orgs", "bulk"], ["file.users", "bulk"], ["file.demographics", "absent"]]),
        "orgs.csv": csv_bytes([["sourcedId", "status", "dateLastModified", "name", "type", "identifier",
                                "parentSourcedId"], ["school1", "", "", "Hill School", "school", "", ""]]),
        "academicSessions.csv": csv_bytes([["sourcedId", "status", "dateLastModified", "title", "type", "startDate",
                                            "endDate", "parentSourcedId", "schoolYear"],
                                           ["term1", "", "", "Autumn 2026", "term", "2026-09-01", "2026-12-20", "",
                                            "2027"]]),
        "courses.csv": csv_bytes([["sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title",
                                   "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"],
                                  ["course1", "", "", "", "Maths 7", "M7", "07", "school1", "", ""]]),
        "classes.csv": csv_bytes([["sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId",
                                   "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds",
                                   "subjects", "subjectCodes", "periods"]]
                                 + [[sid, "", "", f"Maths {sid}", "07", "course1", sid, "scheduled", "", "school1",
                                     "term1", "", "", ""] for sid in classes]),
        "users.csv": csv_bytes(users),
        "enrollments.csv": csv_bytes(enrollments),
    }


def oneroster_zip(classes: dict[str, list[tuple]], **kw) -> bytes:
    return zip_bytes(oneroster_files(classes, **kw))


def students(prefix: str, count: int, start: int = 0) -> list[tuple]:
    return [(f"{prefix}{n}", f"Given{n}", f"Family{n}", "", f"ID{n}", f"s{n}@school.test")
            for n in range(start, start + count)]


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def xlsx_parts(rows_xml: str, path: str = "worksheets/sheet1.xml", shared: str | None = None,
               head: str = "") -> dict[str, bytes]:
    """The parts of a minimal .xlsx as a program could write it: the workbook's relationships say where its
    one sheet (`path`, relative to xl/) and its shared strings are; rows_xml is the sheet's <sheetData>."""
    rels = f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="{path}"/>'
    if shared is not None:
        rels += f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                               '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                               'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                               '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                               'officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
                       f'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets><sheet name="S" sheetId="1" '
                           f'r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PKG}">{rels}</Relationships>',
        f"xl/{path}": f'<worksheet xmlns="{_MAIN}">{head}<sheetData>{rows_xml}</sheetData></worksheet>',
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    return {name: text.encode() if isinstance(text, str) else text for name, text in parts.items()}


def minimal_xlsx(rows_xml: str, **kw) -> bytes:
    return zip_bytes(xlsx_parts(rows_xml, **kw))


def minimal_ods(table_xml: str) -> bytes:
    """An .ods whose one sheet is table_xml (the rows inside <table:table>)."""
    content = ('<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
               f'<table:table table:name="S">{table_xml}</table:table></office:spreadsheet></office:body>'
               '</office:document-content>')
    return zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": content.encode(),
                      "META-INF/manifest.xml": b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                      b'opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:'
                      b'media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
                      b'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'})


def read_table(data: bytes) -> tables.Table:
    """A roster upload read the way the appliance reads it (http/isolated.py): a spreadsheet in the child
    process, text here."""
    import asyncio

    from appliance.classroom.importers import decode_text
    from appliance.config import ServerSettings
    from appliance.http import isolated
    if not tables.is_spreadsheet(data):
        return tables.read_csv(decode_text(data))
    rows = asyncio.run(isolated.run_sheet_worker(data, ServerSettings(), isolated.ROSTER_CELL_CHARS))
    return tables.Table(tuple(tuple(row) for row in rows), sheet=True)
