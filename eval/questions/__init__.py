"""A question corpus that is not the labels: templates (templates.py) over generated documents of every
layout family with the generator's truth (corpus.py), asked through the service and scored (run.py:
`python -m eval.questions`); over the real documents of ../shared with the reader's model as truth
(shared.py)."""
