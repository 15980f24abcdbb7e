"""Offline stand-in for PackageMetadataInfo."""

PackageMetadataInfo = provider(
    doc = "Metadata of a package (stand-in).",
    fields = {
        "metadata": "File: JSON metadata.",
        "purl": "string: the package URL.",
    },
)
