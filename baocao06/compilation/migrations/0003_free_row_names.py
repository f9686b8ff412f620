"""Names typed in free rows of tables whose label column is a catalogue field (PL04's "other" rows).

Until now such names were not stored with the version's values (only catalogue rows have a catalogue
item to take the name from); the national tables then showed the folded merge key and the units'
sheets rows without a name. This fills in the missing label values from the versions' own content;
the round's frozen layout says which tables, columns and rows are concerned.
"""

from django.db import migrations


def _merge_key(label) -> str:
    # The same folding as compilation.values.merge_key at the time of this migration.
    return "~" + " ".join(str(label or "").split()).casefold()[:190]


def _targets(layout: dict) -> dict[str, tuple[str, set[str]]]:
    """{table: (label column, fixed row keys)} for tables with free rows and a catalogue label column."""
    out = {}
    for table in layout.get("tables") or []:
        label = next((c for c in table["columns"] if c.get("role") == "label"), None)
        if not label or not label.get("item_field") or not any(g.get("free_rows") for g in table["row_groups"]):
            continue
        out[table["key"]] = (label["key"], {r["key"] for g in table["row_groups"] for r in g["rows"]})
    return out


def fill_free_row_names(apps, schema_editor):
    Round = apps.get_model("rounds", "Round")
    ReportVersion = apps.get_model("reports", "ReportVersion")
    VersionValue = apps.get_model("compilation", "VersionValue")
    for round_id, layout in Round.objects.values_list("pk", "layout").iterator():
        targets = _targets(layout or {})
        if not targets:
            continue
        versions = ReportVersion.objects.filter(report__round_id=round_id).values_list(
            "pk", "report__unit_id", "content"
        )
        for version_id, unit_id, content in versions.iterator(chunk_size=200):
            have = set(
                VersionValue.objects.filter(
                    version_id=version_id, part__in=list(targets), column__in=[c for c, _ in targets.values()]
                ).values_list("part", "row")
            )
            missing = []
            for table_key, (column, fixed) in targets.items():
                rows = ((content or {}).get("tables") or {}).get(table_key, {}).get("rows") or []
                for position, row in enumerate(rows):
                    text = (row.get("values") or {}).get(column)
                    if row["key"] in fixed or (table_key, row["key"]) in have or not isinstance(text, str) or not text:
                        continue
                    missing.append(
                        VersionValue(
                            version_id=version_id,
                            unit_id=unit_id,
                            kind="t",
                            part=table_key,
                            row=row["key"],
                            group=row.get("group") or "",
                            merge_key=_merge_key(text),
                            position=position,
                            column=column,
                            text=text,
                        )
                    )
            VersionValue.objects.bulk_create(missing, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("compilation", "0002_part_column_index_and_statistics"),
        ("reports", "0002_deadline_extension_first_submission"),
        ("rounds", "0004_compile_settings_and_baseline"),
    ]

    operations = [migrations.RunPython(fill_free_row_names, migrations.RunPython.noop, elidable=True)]
