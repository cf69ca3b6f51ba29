"""The demo city's data files keep their invariants (codes, parents, references, counts)."""

from tests.demo import check_demo_data


def test_demo_data_files_are_consistent(capsys):
    assert check_demo_data.main() == 0
    assert capsys.readouterr().out.startswith("OK")
