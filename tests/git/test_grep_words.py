"""gitcmd.grep_words: which files at a revision hold each word, as whole words (the search for the
jobs that call a function, rules/trees/reach.py, asks it for hundreds of names at once)."""

from __future__ import annotations

from support.gitrepo import git, make_repo

from deploycheck.git import gitcmd

FILES = {
    "app/models/account.rb": "class Account\n  def save!\n    valid? && save\n  end\n  def sync_later\n  end\nend\n",
    "app/models/entry.rb": "x = save!=other\nresync_later(1)\n",  # `save != other`: git alone would print `save!`
    "app/jobs/sync_job.rb": "account.sync_later\naccount.sync_latest\n",
    "lib/odd.rb": "a.b(c) + d\n",
    "README.md": "sync_later\n",
}


def test_whole_words_each_name_alone_and_among_many(tmp_path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    head = git(repo, "rev-parse", "HEAD").strip()
    many = ["save", "save!", "valid?", "sync_later", "later", "a.b", "nowhere"] + [f"name_{i}" for i in range(300)]
    found = gitcmd.grep_words(str(repo), head, many, ("*.rb",))
    expected = {
        "save": {"app/models/account.rb", "app/models/entry.rb"},
        "save!": {"app/models/account.rb", "app/models/entry.rb"},
        "valid?": {"app/models/account.rb"},
        "sync_later": {"app/models/account.rb", "app/jobs/sync_job.rb"},  # not `resync_later`, not README.md
        "later": set(),  # part of words only
        "a.b": {"lib/odd.rb"},  # `.` is literal
        "nowhere": set(),
    }
    assert {word: found[word] for word in expected} == expected
    assert all(not found[f"name_{i}"] for i in range(300))
    # Asked one at a time, each word gives the same files as among the others.
    for word, paths in expected.items():
        assert gitcmd.grep_words(str(repo), head, [word], ("*.rb",)) == {word: paths}
    assert gitcmd.grep_words(str(repo), head, [], ("*.rb",)) == {}


def test_the_users_git_config_and_the_branchs_attributes_change_nothing(tmp_path, monkeypatch) -> None:
    # Red team, session 10: `grep.lineNumber` or `color.ui=always` changed the records git prints,
    # and a branch's `.gitattributes` marking job files `binary` made git print "Binary file …
    # matches" instead of the words: both hid every caller, and the gate passed.
    repo = make_repo(tmp_path / "repo", FILES)
    head = git(repo, "rev-parse", "HEAD").strip()
    (repo / ".gitattributes").write_text("app/jobs/*.rb binary\n*.rb -diff\n")
    for number, (key, value) in enumerate([("grep.lineNumber", "true"), ("grep.column", "true"),
                                            ("color.ui", "always"), ("color.grep", "always")]):
        monkeypatch.setenv(f"GIT_CONFIG_KEY_{number}", key)
        monkeypatch.setenv(f"GIT_CONFIG_VALUE_{number}", value)
    monkeypatch.setenv("GIT_CONFIG_COUNT", "4")
    found = gitcmd.grep_words(str(repo), head, ["sync_later", "valid?"], ("*.rb",))
    assert found == {"sync_later": {"app/models/account.rb", "app/jobs/sync_job.rb"}, "valid?": {"app/models/account.rb"}}
    assert gitcmd.grep_files(str(repo), head, ["sync_later"], ("*.rb",), words=True) == ["app/jobs/sync_job.rb",
                                                                             "app/models/account.rb"]


def test_more_names_than_one_argument_holds(tmp_path) -> None:
    # One command-line argument holds at most 128 KiB on Linux: 20,000 names are asked in parts.
    repo = make_repo(tmp_path / "repo", FILES)
    head = git(repo, "rev-parse", "HEAD").strip()
    names = [f"some_rather_long_method_name_{i}" for i in range(20_000)] + ["sync_later"]
    found = gitcmd.grep_words(str(repo), head, names, ("*.rb",))
    assert found["sync_later"] == {"app/models/account.rb", "app/jobs/sync_job.rb"}
    assert sum(map(len, found.values())) == 2
