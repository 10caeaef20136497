"""One exception type for bad user input, so the CLI can turn it into one line and exit code 2."""


class InputError(Exception):
    """Bad user input: the message names the file, the key, what is wrong and what is allowed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
