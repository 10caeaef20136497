"""Interfaces: the command line (`cli`, `sweep_cli`), output directories (`outputs`), figures (`plots`),
the Solara dashboard (`dashboard`, served as `app`), number formatting (`formatting`) and the generated
documentation (`apidoc`: docs/api.md, `docgen`: the ODD's parameter tables)."""
