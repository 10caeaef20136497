"""One exception type for bad user input, so the CLI can turn it into one line and exit code 2."""

from pathlib import Path


class InputError(Exception):
    """Bad user input: the message names the file, the key, what is wrong and what is allowed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def read_input_text(path: str | Path, what: str) -> str:
    """The text of a user's input file (`what`: "scenario", "sweep spec", ...), or one InputError saying why not."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected a {what} .toml file")
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read file ({exc.__class__.__name__})") from None


class WriteError(Exception):
    """Writing an output failed (disk full, permission lost): the message says what was and was not
    written; the CLI prints it as one line and exits with code 1."""
