"""Offline stand-in: a no-op buildozer_binary extension (nothing here runs buildozer)."""

def _buildozer_binary_impl(_module_ctx):
    pass

buildozer_binary = module_extension(
    implementation = _buildozer_binary_impl,
    tag_classes = {"buildozer": tag_class(attrs = {"version": attr.string(), "sha256": attr.string_dict()})},
)
