"""Importing a pasted 1177 list: encodings, separators, duplicates, unusable rows, and no double import."""

import io
import json
from pathlib import Path

import pytest

from xl_addin.cli import main
from xl_addin.demo import DEMO_TODAY, build_demo
from xl_addin.files.reader import read_workbook_file

LIST = (
    "Inkom;Personnummer;Namn;Önskad grupp;Anmälan från\n"
    "2026-10-13;20120315-0014;Åsa Importsdotter;ADHD Ung;Vårdnadshavare\n"
    "2026-10-13;201203150014;Åsa Importsdotter;adhd ung;\n"  # the same registration again
    "2026-10-13;20120315-0015;Fel Nummer;ADHD Ung;\n"
    "2026-10-13;20120315-0022;Okänd Grupp;Simskola;\n"
    "2/10 2026;20120315-0030;Tvetydig Datum;ADHD Ung;\n"
    "12 okt 2026;20120315-0048;Örjan Ordsson;SKILLS;Patient\n"
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo") / "demo.xlsx")


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main([str(arg) for arg in argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "name, data",
    [
        ("utf8.csv", LIST.encode("utf-8")),
        ("utf8-bom.csv", LIST.encode("utf-8-sig")),
        ("windows.csv", LIST.encode("cp1252")),
        ("komma.csv", LIST.replace(";", ",").encode("utf-8")),
    ],
)
def test_csv_lists_in_every_encoding_give_the_same_rows(demo, tmp_path, name, data):
    (tmp_path / name).write_bytes(data)
    code, out, _ = run("import-interest", demo, tmp_path / name, "--today", DEMO_TODAY, "--json")
    document = json.loads(out)
    assert code == 1
    assert [(row["Namn"], row["Önskad grupp"], row["Inkom"]) for row in document["rows"]] == [
        ("Åsa Importsdotter", "ADHD Ung", "2026-10-13"),
        ("Örjan Ordsson", "SKILLS", "2026-10-12"),
    ]
    mine = [(p["Cell"], p["Meddelande"]) for p in document["problems"] if p["Blad"] == name]
    assert [cell for cell, _ in mine] == ["A4", "A5", "A6"]
    assert "kontrollsiffra" in mine[0][1] and "Koder" in mine[1][1] and "tvetydigt" in mine[2][1]


def test_an_xlsx_list_works_too(demo, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Anmälningar från 1177"])
    for line in LIST.splitlines():
        sheet.append(line.split(";"))
    book.save(tmp_path / "lista.xlsx")
    code, out, _ = run("import-interest", demo, tmp_path / "lista.xlsx", "--today", DEMO_TODAY, "--json")
    assert [row["Namn"] for row in json.loads(out)["rows"]] == ["Åsa Importsdotter", "Örjan Ordsson"]


def test_importing_the_result_again_adds_nothing(demo, tmp_path):
    (tmp_path / "lista.csv").write_text(LIST, encoding="utf-8")
    run("import-interest", demo, tmp_path / "lista.csv", "--today", DEMO_TODAY, "--out", tmp_path / "ut")
    (result,) = (tmp_path / "ut").glob("*.xlsx")
    workbook = read_workbook_file(result, today=DEMO_TODAY).workbook
    assert "Örjan Ordsson" in [registration.name for registration in workbook.interest]
    code, out, _ = run("import-interest", result, tmp_path / "lista.csv", "--today", DEMO_TODAY, "--json")
    document = json.loads(out)
    assert document["rows"] == [] and "3 fanns redan" in document["summary"]


def test_a_list_without_the_needed_columns_is_refused(demo, tmp_path):
    (tmp_path / "fel.csv").write_text("Namn;Telefon\nAnna;123\n", encoding="utf-8")
    code, out, err = run("import-interest", demo, tmp_path / "fel.csv")
    assert code == 2 and "Inkom, Personnummer och Önskad grupp" in err
