"""Survey data files that cannot be read as they are: truncated, corrupt, inflating, too large, not
UTF-8, empty. Each is one problem naming the file (or its line), and exit code 2."""

import gzip
import os

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from winset.cli import app
from winset.conjoint import ConjointError, read_table

from ..conftest import within

runner = CliRunner()
ARGS = ["--outcome", "chosen", "--features", "price"]


def frame(rows: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "resp": np.arange(rows) // 2,
            "price": rng.choice(["low", "mid", "high"], rows),
            "chosen": np.tile([1, 0], rows // 2),
        }
    )


def refused(path, *args, env=None, command="amce") -> str:
    """stderr of ``winset COMMAND path ...``, which must exit with 2 and no traceback."""
    result = runner.invoke(app, [command, str(path), *ARGS, *args], env=env)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    return result.stderr.replace("\n      ", " ")


def csv_bytes(rows: int = 40) -> bytes:
    return frame(rows).to_csv(index=False).encode()


def test_a_truncated_gzip_file(tmp_path):
    whole = gzip.compress(csv_bytes(2000))
    path = tmp_path / "survey.csv.gz"
    path.write_bytes(whole[: len(whole) // 2])
    for command in ("amce", "mm"):
        assert "the compressed data are truncated or corrupt" in refused(path, command=command)


def test_a_corrupt_gzip_file(tmp_path):
    path = tmp_path / "survey.csv.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4)
    assert "the compressed data are truncated or corrupt" in refused(path)
    path.write_bytes(b"not gzip at all, but named so")
    assert "the compressed data are truncated or corrupt" in refused(path)


def test_a_compression_bomb_stops_at_the_limit(tmp_path):
    path = tmp_path / "survey.csv.gz"
    path.write_bytes(gzip.compress(b"resp,price,chosen\n" + b"1,low,1\n" * 1_000_000))  # 8 MB from 20 kB
    assert os.path.getsize(path) < 100_000
    message = refused(path, env={"WINSET_MAX_DATA_BYTES": "1000000"})
    assert f"{path} the file once decompressed is larger than 1 MB" in message
    assert "WINSET_MAX_DATA_BYTES" in message


def test_the_data_limit_on_disk_and_its_variable(tmp_path):
    path = tmp_path / "survey.csv"
    path.write_bytes(csv_bytes(2000))
    assert "the file is larger than 1,000 bytes" in refused(path, env={"WINSET_MAX_DATA_BYTES": "1000"})
    assert "WINSET_MAX_DATA_BYTES must be a positive whole number of bytes, got 'lots'" in refused(
        path, env={"WINSET_MAX_DATA_BYTES": "lots"}
    )
    result = runner.invoke(app, ["amce", str(path), *ARGS], env={"WINSET_MAX_DATA_BYTES": "100000000"})
    assert result.exit_code == 0, result.output


def test_a_corrupt_parquet_file(tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "survey.parquet"
    frame().to_parquet(path)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) - 20])  # the footer is gone
    assert "not a readable Parquet file" in refused(path)
    path.write_bytes(b"PAR1" + bytes(200) + b"PAR1")
    assert "not a readable Parquet file" in refused(path)


def test_a_parquet_file_that_decodes_beyond_the_limit(tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "survey.parquet"
    pd.DataFrame({"resp": np.zeros(200_000, dtype=np.int64), "price": "low", "chosen": 1}).to_parquet(path)
    assert os.path.getsize(path) < 100_000
    message = refused(path, env={"WINSET_MAX_DATA_BYTES": "1000000"})
    assert "the file once decoded is larger than 1 MB (4,800,000 bytes)" in message


def test_not_utf8_names_line_and_column(tmp_path):
    path = tmp_path / "survey.csv"
    path.write_bytes("resp,price,chosen\n1,low,1\n1,caf\xe9,0\n".encode("latin-1"))
    message = refused(path)
    assert f"{path}: 1 problem" in message and "line 3, column 6 the file is not UTF-8 text" in message
    compressed = tmp_path / "survey.csv.gz"
    compressed.write_bytes(gzip.compress(path.read_bytes()))
    assert "line 3, column 6 the file is not UTF-8 text" in refused(compressed)


def test_a_character_cut_across_chunks_is_still_utf8(tmp_path):
    head = b"resp,price,chosen\n1,"
    filler = b"x" * ((1 << 16) - len(head) - 1)  # the two bytes of the e-acute straddle 64 kB
    path = tmp_path / "survey.csv"
    path.write_bytes(head + filler + "é,1\n".encode() + b"1,b\xff,0\n")
    assert "line 3, column 4 the file is not UTF-8 text" in refused(path)


def test_empty_and_header_only_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert f"{empty} the file is empty" in refused(empty)
    header = tmp_path / "header.csv"
    header.write_text("resp,price,chosen\n")
    for command in ("amce", "mm"):
        assert f"{header} the file has a header but no rows" in refused(header, command=command)
    with pytest.raises(ConjointError, match="has a header but no rows"):
        read_table(header)


def test_a_named_pipe_is_not_data(tmp_path):
    fifo = tmp_path / "survey.csv"
    os.mkfifo(fifo)
    with pytest.raises(ConjointError, match="is a named pipe"):
        within(10, lambda: read_table(fifo))  # refused before opening: opening would block


def test_archives_are_refused_by_name(tmp_path):
    path = tmp_path / "survey.zip"
    path.write_bytes(b"PK\x03\x04")
    assert "winset does not read '.zip' archives" in refused(path)


def test_bzip2_and_xz_are_read(tmp_path):
    import bz2
    import lzma

    expected = runner.invoke(app, ["amce", str(_write(tmp_path / "s.csv", csv_bytes())), *ARGS, "--json"]).stdout
    for suffix, compress in ((".bz2", bz2.compress), (".xz", lzma.compress)):
        path = _write(tmp_path / f"s.csv{suffix}", compress(csv_bytes()))
        result = runner.invoke(app, ["amce", str(path), *ARGS, "--json"])
        assert result.exit_code == 0 and result.stdout == expected


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "table, message",
    [
        (b"", ": the file is empty"),
        (b"price,A,B\n", ": the file has a header but no rows"),
        ("price,A,B\nlow,0.5,caf\xe9\n".encode("latin-1"), " line 2, column 12: the file is not UTF-8 text"),
        (b'price,A,B\n"low,0.5,0.5\n', ": cannot read the file as CSV"),
    ],
)
def test_a_design_probability_table_that_cannot_be_read(tmp_path, table, message):
    (tmp_path / "table.csv").write_bytes(table)
    design = _write(
        tmp_path / "design.toml",
        b'[[restrictions]]\nfeatures = ["price", "brand"]\nprobabilities = "table.csv"\n',
    )
    data = _write(tmp_path / "data.csv", csv_bytes())
    stderr = refused(data, "--design", design)
    assert "restrictions[0].probabilities 'table.csv'" + message in stderr
