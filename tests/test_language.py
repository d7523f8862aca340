"""Text in another language than English: detected at ingest, kept out of the model's verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import newstrace
from newstrace.text.language import language_of


def write(folder: Path, records: list[dict]) -> Path:
    path = folder / "articles.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_language_of_names_other_languages_and_leaves_english_and_headlines_alone() -> None:
    assert language_of("Der Stadtrat hat am Dienstag den Haushalt für das kommende Jahr beschlossen. "
                       "Mehr Geld fließt in Schulen und in die Sanierung von Radwegen.") == "de"
    assert language_of("Le conseil municipal a voté mardi le budget de l'année prochaine, avec davantage "
                       "d'argent pour les écoles et les pistes cyclables.") == "fr"
    assert language_of("The council passed its budget on Tuesday, with more money for schools.") is None
    # headline style, few English function words: the model is asked, and says English
    assert language_of("Twelve killed in California bar shooting; suspected gunman confirmed dead "
                       "after police standoff near Thousand Oaks") is None
    assert language_of("Bernie Sanders Announces 2020 Run") is None  # too short to tell




#: Short news items in Spanish: four unrelated events, and two reports of one match.
SPANISH = {
    "hospitales": "El Gobierno regional aprobó este martes un plan para reducir las listas de espera en los "
                  "hospitales públicos. La medida incluye la contratación de quinientos médicos, y la oposición "
                  "la calificó de insuficiente.",
    "terremoto": "Un terremoto de magnitud 5,2 sacudió la costa norte la madrugada del miércoles. No se "
                 "registraron daños materiales ni víctimas, según las autoridades, aunque el temblor se sintió "
                 "en la capital.",
    "vivienda": "Los precios de la vivienda en la ciudad subieron un ocho por ciento en el último año, según un "
                "informe publicado el lunes. Los jóvenes son los más afectados por el encarecimiento de los "
                "alquileres.",
    "huelga": "La huelga de los trabajadores del metro obligó a miles de personas a buscar otra manera de llegar "
              "al trabajo. Los sindicatos piden una subida salarial del cinco por ciento.",
    "partido": "El Atlético Norte ganó por dos goles a uno al Deportivo Sur en el estadio Ribera. El equipo local "
               "remontó en la segunda parte con un gol de Julián Ferro en el minuto 89 y es líder de la liga.",
    "partido-2": "Julián Ferro dio la victoria al Atlético Norte frente al Deportivo Sur con un gol en el minuto "
                 "89. El Deportivo Sur se había adelantado en el estadio Ribera antes del descanso, y el triunfo "
                 "deja al Atlético Norte como líder.",
}


def test_articles_not_in_english_are_judged_by_their_names_and_words(tmp_path: Path) -> None:
    """The sentence model reads English: on Spanish its vectors made the four unrelated items
    one story and two of them reports of one event. Now each is its own story, the two
    reports of the match share one, and no Spanish pair gets a verdict from the model."""
    records = [{"id": name, "text": text} for name, text in SPANISH.items()]
    report = newstrace.analyze([write(tmp_path, records)])
    assert {a.language for a in report.articles} == {"es"}
    labels = {a.id: a.external_id for a in report.articles}
    stories = sorted(sorted(labels[i] for i in s.article_ids) for s in report.stories)
    assert ["partido", "partido-2"] in stories and len(stories) == 5
    assert not [r for r in report.relations if r.relation in ("same_story", "paraphrase")]


def test_a_records_own_language_field_wins(tmp_path: Path) -> None:
    records = [{"id": "x", "language": "en-GB", "text": SPANISH["huelga"]},
               {"id": "y", "language": "es", "text": "The council passed its budget on Tuesday, with more money for schools."}]
    report = newstrace.analyze([write(tmp_path, records)])
    assert {a.external_id: a.language for a in report.articles} == {"x": None, "y": "es"}
