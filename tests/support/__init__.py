"""What the tests share: real git repositories (gitrepo), the incident project and its keys
(incident, dcflow), a real pseudo-terminal (ptydrive), fuzz seeds (fuzzkit), signed records
(records), the CLI and a signed record of the incident (gate) and the annotated rule examples
(rule_examples). Importable as ``support`` because pytest puts tests/ on the path
(``pythonpath`` in pyproject.toml).
"""
