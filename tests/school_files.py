"""Files as school systems write them, made in the test: OneRoster CSV zips and spreadsheets."""
from __future__ import annotations

import csv
import io
import zipfile

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
