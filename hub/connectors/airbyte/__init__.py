"""Live SaaS and file sources through the real Airbyte connectors (``airbyte-source-*`` from PyPI).

``install``: one venv per pinned package version under ``HUB_CONNECTORS_DIR``; ``runner``: one protocol
operation as a subprocess; ``procs``: process groups; ``specs``: the pinned connectors' specs shipped in
the package (forms work before an install); ``connector``: the `Connector` over all of it.
"""
