"""Comparing versions: narrative by paragraph (and word), tables by row key."""

from pathlib import Path

from django.test import SimpleTestCase

from baocao06.definitions.layout import Layout, resolve
from baocao06.definitions.spec import load_spec
from baocao06.review.diff import diff_contents, text_diff
from baocao06.units.kinds import UnitKind

MINI = Path(__file__).resolve().parents[2] / "definitions" / "tests" / "fixtures" / "mini.yaml"


class Unit:
    key, kind = "P01", UnitKind.PROVINCE


def view():
    return Layout(resolve(load_spec(MINI.read_text(encoding="utf-8")), lambda ref: [])).view_for(Unit())


def content(body="", t1=(), t2=None):
    return {
        "sections": {"I.1": {"fields": {"body": body}}} if body else {},
        "tables": {
            "T1": {"rows": [{"key": k, "group": "A", "values": v} for k, v in t1], "totals": []},
            "T2": {"rows": [{"key": k, "group": "main", "values": v} for k, v in (t2 or {}).items()], "totals": []},
        },
    }


class TextDiffTests(SimpleTestCase):
    def test_paragraphs_added_removed_and_changed_word_by_word(self):
        old = "Đoạn một giữ nguyên.\nĐoạn hai có 12 văn bản.\nĐoạn ba bị bỏ."
        new = "Đoạn một giữ nguyên.\nĐoạn hai có 15 văn bản.\n\nĐoạn bốn mới."
        tags = [(p.tag, p.old, p.new) for p in text_diff(old, new)]
        self.assertEqual(tags[0], ("equal", "Đoạn một giữ nguyên.", "Đoạn một giữ nguyên."))
        self.assertEqual([t[0] for t in tags[1:]], ["replace", "replace"])
        words = [(s.tag, s.text) for s in text_diff(old, new)[1].segments]
        self.assertEqual(words, [("equal", "Đoạn hai có "), ("delete", "12"), ("insert", "15"), ("equal", " văn bản.")])

    def test_equal_texts_have_no_change(self):
        self.assertEqual({p.tag for p in text_diff("A\nB", "A\r\nB\n")}, {"equal"})

    def test_pure_insertions_and_deletions(self):
        self.assertEqual([p.tag for p in text_diff("", "Mới")], ["insert"])
        self.assertEqual([p.tag for p in text_diff("Cũ", "")], ["delete"])


class TableDiffTests(SimpleTestCase):
    def test_changed_cells_added_and_removed_rows_keyed_by_row(self):
        old = content(
            "Cũ",
            t1=[("na", {"content": "Nhiệm vụ A", "result": "done"}), ("nb", {"content": "Nhiệm vụ B"})],
            t2={"s1": {"total": 100, "online": 70, "rate": 70}},
        )
        new = content(
            "Mới",
            t1=[("nc", {"content": "Nhiệm vụ C"}), ("na", {"content": "Nhiệm vụ A", "result": "not_done"})],
            t2={"s1": {"total": 100, "online": 80, "rate": 80}},
        )
        diff = diff_contents(view(), old, new)
        [section] = diff.sections
        self.assertEqual((section.key, section.fields[0].key), ("I.1", "body"))
        t1, t2 = diff.tables
        self.assertEqual(
            [(c.row_label, c.column_label, c.old, c.new) for c in t1.changed],
            [("Nhiệm vụ A", "Kết quả", "Đã hoàn thành", "Chưa hoàn thành")],
        )
        self.assertEqual([r.label for r in t1.added], ["Nhiệm vụ C"])
        self.assertEqual([r.label for r in t1.removed], ["Nhiệm vụ B"])
        self.assertEqual(
            [(c.row_label, c.column, c.old, c.new) for c in t2.changed],
            [("1. Đăng ký thường trú", "online", "70", "80"), ("1. Đăng ký thường trú", "rate", "70", "80")],
        )
        self.assertEqual(diff.counts, {"fields": 1, "cells": 3, "added": 1, "removed": 1})

    def test_reordered_rows_are_not_a_change(self):
        rows = [("na", {"content": "A"}), ("nb", {"content": "B"})]
        diff = diff_contents(view(), content("x", t1=rows), content("x", t1=list(reversed(rows))))
        self.assertTrue(diff.is_empty)


class AppendedSentenceTests(SimpleTestCase):
    def test_a_sentence_appended_to_a_paragraph_is_one_insertion_after_the_unchanged_text(self):
        old = "Tỉnh đã triển khai 25 dịch vụ công thiết yếu. Tỷ lệ hồ sơ trực tuyến đạt 70%."
        [paragraph] = text_diff(old, old + " Trong 6 tháng cuối năm sẽ mở rộng sang cấp xã.")
        self.assertEqual(
            [(s.tag, s.text) for s in paragraph.segments],
            [("equal", old), ("insert", " Trong 6 tháng cuối năm sẽ mở rộng sang cấp xã.")],
        )

    def test_neighbouring_changed_words_read_as_one_phrase(self):
        [paragraph] = text_diff("Câu một hai ba bốn.", "Câu một năm sáu bốn.")
        self.assertEqual(
            [(s.tag, s.text) for s in paragraph.segments],
            [("equal", "Câu một "), ("delete", "hai ba"), ("insert", "năm sáu"), ("equal", " bốn.")],
        )
