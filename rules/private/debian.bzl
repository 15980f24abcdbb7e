"""Debian packages as Bazel repositories: a pinned .deb fetched with apt, checked by digest, unpacked.

`fetch_debs` is the reusable part (any repository rule can call it); `debian_package` is the
generic repository rule built on it (firmware, shim, grub, dkms...), and `debian_kernel` turns
Debian's kernel packages of one ABI into a `prebuilt_kernel`, its signed image, its build
certificate and some of its signed modules.

How a package is fetched:
  1. from Bazel's repository cache, by its sha256 (no network, no apt);
  2. otherwise with `apt-get download PACKAGE=VERSION`, using a private apt state (its own
     sources list, lists and cache inside the repository directory) when `apt_sources` is set,
     so the machine's apt configuration is neither needed nor changed; with the machine's apt
     otherwise;
  3. then its sha256 is compared with the pin (a mismatch fails, naming both digests), it is put
     into the repository cache, and unpacked with `dpkg-deb -x`.

Debian's mirror keeps only the current kernel ABI of a release: when a pinned version is gone,
the error says so and, for kernels, names the current ABI, version and digests to pin instead.
"""

# Where Debian publishes a suite: the main archive and, for stable releases, security updates
# (where the current kernel of a stable release lives).
def debian_apt_sources(suite):
    """The apt sources lines for a Debian suite ("bookworm", "trixie", "sid"...).

    Args:
      suite: the Debian suite (codename).

    Returns:
      list of "deb URL SUITE main" lines.
    """
    lines = ["deb http://deb.debian.org/debian {} main".format(suite)]
    if suite not in ["sid", "unstable", "experimental"]:
        lines.append("deb http://deb.debian.org/debian {}-updates main".format(suite))
        lines.append("deb http://deb.debian.org/debian-security {}-security main".format(suite))
    return lines

_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"

def _run(rctx, what, argv, working_directory = "", quiet = True):
    res = rctx.execute(argv, working_directory = working_directory, quiet = quiet, timeout = 1800)
    if res.return_code != 0:
        fail("{}: `{}` failed (exit {}):\n{}{}".format(what, " ".join(argv), res.return_code, res.stdout, res.stderr))
    return res.stdout

def _which(rctx, what, tool, package):
    p = rctx.which(tool)
    if not p:
        fail("{}: `{}` is not on PATH; install Debian's {} package (this rule needs a Debian or Ubuntu machine, or tools/bazel's chroot)".format(what, tool, package))
    return p

def apt_context(rctx, what, apt_sources):
    """Prepares apt for fetch_debs: the machine's, or a private state for `apt_sources`.

    Args:
      rctx: the repository_ctx.
      what: the repository, for messages.
      apt_sources: list of sources.list lines; [] for the machine's apt configuration.

    Returns:
      a struct for fetch_debs and apt_query.
    """
    apt_get = _which(rctx, what, "apt-get", "apt")
    apt_cache = _which(rctx, what, "apt-cache", "apt")
    opts = ["-q", "-o", "Acquire::Languages=none"]
    uid = rctx.execute(["id", "-u"]).stdout.strip()
    if uid == "0":
        # apt drops to _apt for downloads, which cannot write into the repository directory.
        opts += ["-o", "APT::Sandbox::User=root"]
    if apt_sources:
        d = rctx.path("_apt")
        for sub in ["lists/partial", "cache/archives/partial", "sources.list.d", "preferences.d"]:
            _run(rctx, what, ["mkdir", "-p", str(d) + "/" + sub])
        opt = "[signed-by={}]".format(_KEYRING) if rctx.path(_KEYRING).exists else "[trusted=yes]"
        lines = []
        for line in apt_sources:
            parts = line.split(" ")
            if len(parts) < 3 or parts[0] not in ["deb", "deb-src"]:
                fail("{}: apt_sources line {} is not `deb URL SUITE COMPONENT...`".format(what, repr(line)))
            if parts[1].startswith("["):
                lines.append(line)
            else:
                lines.append(" ".join([parts[0], opt] + parts[1:]))
        rctx.file("_apt/sources.list", "\n".join(lines) + "\n")
        opts += [
            "-o",
            "Dir::Etc::SourceList=" + str(d) + "/sources.list",
            "-o",
            "Dir::Etc::SourceParts=" + str(d) + "/sources.list.d",
            "-o",
            "Dir::Etc::PreferencesParts=" + str(d) + "/preferences.d",
            "-o",
            "Dir::State::Lists=" + str(d) + "/lists",
            "-o",
            "Dir::Cache=" + str(d) + "/cache",
            "-o",
            "Debug::NoLocking=1",
        ]
    return struct(apt_get = str(apt_get), apt_cache = str(apt_cache), opts = opts, private = bool(apt_sources), updated = [False])

def _apt_update(rctx, what, apt):
    if apt.private and not apt.updated[0]:
        rctx.report_progress("apt-get update (private lists)")
        _run(rctx, what, [apt.apt_get] + apt.opts + ["update"])
        apt.updated[0] = True

def apt_query(rctx, apt, args):
    """Runs apt-cache with the context's options.

    Args:
      rctx: the repository_ctx.
      apt: from apt_context.
      args: apt-cache's arguments.

    Returns:
      its stdout, "" on failure.
    """
    res = rctx.execute([apt.apt_cache] + apt.opts + args, quiet = True)
    return res.stdout if res.return_code == 0 else ""

def apt_show_field(rctx, apt, pkg, version, field):
    """A field of `apt-cache show PKG=VERSION`.

    Args:
      rctx: the repository_ctx.
      apt: from apt_context.
      pkg: the package.
      version: its version.
      field: e.g. "SHA256".

    Returns:
      the field's value, "" when unknown.
    """
    for line in apt_query(rctx, apt, ["show", "{}={}".format(pkg, version)]).splitlines():
        if line.startswith(field + ": "):
            return line[len(field) + 2:].strip()
    return ""

def fetch_debs(rctx, what, packages, apt, dest = "", missing_hint = None):
    """Fetches pinned .debs, checks their sha256 and unpacks each with `dpkg-deb -x`.

    Args:
      rctx: the repository_ctx.
      what: the repository, for messages.
      packages: list of structs (name, version, sha256).
      apt: from apt_context.
      dest: directory (relative to the repository) each package is unpacked into, as
        DEST/<name>; "" unpacks every package into the repository's root.
      missing_hint: optional function (rctx, apt, pkg) -> string, appended to the error when
        a pinned version is no longer on the mirror.

    Returns:
      dict: package name -> path (string, relative to the repository) of its unpacked tree.
    """
    dpkg_deb = _which(rctx, what, "dpkg-deb", "dpkg")
    out = {}
    for pkg in packages:
        if not pkg.sha256 or len(pkg.sha256) != 64:
            known = ""
            if pkg.version:
                _apt_update(rctx, what, apt)
                known = apt_show_field(rctx, apt, pkg.name, pkg.version, "SHA256")
            fail("{}: no valid sha256 for {}={} (got {}); pin it{}".format(
                what,
                pkg.name,
                pkg.version,
                repr(pkg.sha256),
                (": the mirror's index says \"{}\"".format(known)) if known else "",
            ))
        deb = "_debs/{}.deb".format(pkg.name)

        # 1. The repository cache, by digest: no network, no apt.
        cached = rctx.download(
            url = "file:///nonexistent/rules_modsign/{}_{}.deb".format(pkg.name, pkg.version),
            output = deb,
            sha256 = pkg.sha256,
            allow_fail = True,
        )
        if not cached.success:
            # 2. apt-get download, into a directory of its own.
            _apt_update(rctx, what, apt)
            ddir = "_debs/dl-" + pkg.name
            _run(rctx, what, ["mkdir", "-p", ddir])
            rctx.report_progress("apt-get download {}={}".format(pkg.name, pkg.version))
            res = rctx.execute(
                [apt.apt_get] + apt.opts + ["download", "{}={}".format(pkg.name, pkg.version)],
                working_directory = ddir,
                quiet = True,
                timeout = 1800,
            )
            if res.return_code != 0:
                available = apt_query(rctx, apt, ["madison", pkg.name]).strip()
                msg = "{}: cannot download {} version {}: the mirror no longer has it".format(what, pkg.name, pkg.version)
                if available:
                    msg += " (it has: {})".format("; ".join([" ".join(a.split()) for a in available.splitlines()]))
                else:
                    msg += " (no version of {} at all)".format(pkg.name)
                msg += ". apt said: {}".format(res.stderr.strip() or res.stdout.strip())
                if missing_hint:
                    msg += "\n" + missing_hint(rctx, apt, pkg)
                fail(msg)
            files = [f for f in rctx.path(ddir).readdir() if f.basename.endswith(".deb")]
            if len(files) != 1:
                fail("{}: apt-get download {}={} left {} .deb files in {}".format(what, pkg.name, pkg.version, len(files), ddir))

            # 3. The digest: compared here for a clear message, then again by download(),
            # which also puts the file into the repository cache.
            got = _run(rctx, what, ["sha256sum", str(files[0])]).split(" ")[0]
            if got != pkg.sha256:
                fail(("{}: {} ({}={}) has sha256 {}, but the pin says {}. Either the pin is wrong " +
                      "or the mirror serves another file under that version; check it before changing the pin.").format(
                    what,
                    files[0].basename,
                    pkg.name,
                    pkg.version,
                    got,
                    pkg.sha256,
                ))
            rctx.download(url = "file://" + str(files[0]), output = deb, sha256 = pkg.sha256)
            rctx.delete(ddir)
        target = (dest + "/" + pkg.name) if dest else "."
        _run(rctx, what, ["mkdir", "-p", target])
        _run(rctx, what, [str(dpkg_deb), "-x", deb, target])
        rctx.delete(deb)
        out[pkg.name] = target
    rctx.delete("_debs")
    return out

def _debian_package_impl(rctx):
    what = "debian_package {}".format(rctx.attr.name)
    apt = apt_context(rctx, what, rctx.attr.apt_sources or debian_apt_sources(rctx.attr.suite))
    fetch_debs(rctx, what, [struct(name = rctx.attr.package, version = rctx.attr.version, sha256 = rctx.attr.sha256)], apt)
    rctx.delete("_apt")
    if rctx.attr.build_file_content:
        rctx.file("BUILD.bazel", rctx.attr.build_file_content)
    else:
        rctx.file("BUILD.bazel", """\
# Generated by rules_modsign's debian_package: {pkg}={version}, sha256 {sha}, unpacked.
package(default_visibility = ["//visibility:public"])

exports_files(glob(["**"], exclude = ["BUILD.bazel", "REPO.bazel"]))

filegroup(
    name = "files",
    srcs = glob(["**"], exclude = ["BUILD.bazel", "REPO.bazel"]),
)
""".format(pkg = rctx.attr.package, version = rctx.attr.version, sha = rctx.attr.sha256))
    rctx.file("REPO.bazel", "")

debian_package = repository_rule(
    implementation = _debian_package_impl,
    doc = """One Debian package, pinned by version and sha256, unpacked with `dpkg-deb -x`.

Every file of the package is a target at its path, e.g. `@ovmf//:usr/share/OVMF/OVMF_CODE_4M.secboot.fd`,
and `@<name>//:files` is all of them (or give `build_file_content`). The .deb comes from the
repository cache when it holds that digest, otherwise from `apt-get download` (see
rules/private/debian.bzl).
""",
    attrs = {
        "package": attr.string(mandatory = True, doc = "The binary package's name, e.g. `ovmf`."),
        "version": attr.string(mandatory = True, doc = "Its exact Debian version, e.g. `2022.11-6+deb12u2`."),
        "sha256": attr.string(mandatory = True, doc = "The .deb's sha256 (`apt-cache show PKG=VERSION` prints it as SHA256)."),
        "suite": attr.string(default = "bookworm", doc = "The Debian suite to fetch from, when apt_sources is empty."),
        "apt_sources": attr.string_list(doc = "sources.list lines for a private apt state; default: those of `suite` (main, -updates, -security)."),
        "build_file_content": attr.string(doc = "The repository's BUILD file; default: every file exported, plus `:files`."),
    },
)

# --- Debian's kernels ------------------------------------------------------------------

def split_abi(abi):
    """Splits a Debian kernel ABI into (base, flavour, line).

    "6.1.0-57-amd64" -> ("6.1.0-57", "amd64", "6.1"); "6.12.38+deb13-cloud-amd64" ->
    ("6.12.38+deb13", "cloud-amd64", "6.12"). Fails on anything else.

    Args:
      abi: the ABI (`uname -r` of the kernel).

    Returns:
      (base, flavour, line).
    """
    parts = abi.split("-")
    if "+" in parts[0]:
        n = 1
    else:
        n = 2
    if len(parts) <= n or not all([p for p in parts]):
        fail("debian kernel ABI {} is not of the form 6.1.0-57-amd64 (or 6.12.38+deb13-amd64)".format(repr(abi)))
    base = "-".join(parts[:n])
    flavour = "-".join(parts[n:])
    nums = parts[0].split("+")[0].split(".")
    if len(nums) < 2 or not nums[0].isdigit() or not nums[1].isdigit():
        fail("debian kernel ABI {}: cannot read the kernel line from {}".format(repr(abi), repr(parts[0])))
    return base, flavour, nums[0] + "." + nums[1]

def debian_kernel_packages(abi, signed = True, kbuild_package = ""):
    """The packages of one Debian kernel ABI.

    Args:
      abi: the ABI, e.g. 6.1.0-57-amd64.
      signed: the signed image package rather than -unsigned.
      kbuild_package: the linux-kbuild package's name, when not the usual one.

    Returns:
      [image, headers, common headers, kbuild] package names.
    """
    base, _, line = split_abi(abi)
    return [
        "linux-image-" + abi + ("" if signed else "-unsigned"),
        "linux-headers-" + abi,
        "linux-headers-" + base + "-common",
        kbuild_package or ("linux-kbuild-" + base if "+" in base else "linux-kbuild-" + line),
    ]

def _current_kernel_hint(rctx, apt, flavour, signed, kbuild_package):
    meta = "linux-image-" + flavour
    version = ""
    for line in apt_query(rctx, apt, ["policy", meta]).splitlines():
        line = line.strip()
        if line.startswith("Candidate:"):
            version = line.split(":", 1)[1].strip()
    if not version or version == "(none)":
        return "The mirror has no {} either; check the suite / apt_sources.".format(meta)
    abi = ""
    for line in apt_query(rctx, apt, ["depends", "{}={}".format(meta, version)]).splitlines():
        line = line.strip()
        for prefix in ["Depends: linux-image-", "|Depends: linux-image-"]:
            if line.startswith(prefix):
                name = line[len(prefix):].split(" ")[0]
                if name.endswith("-unsigned"):
                    name = name[:-len("-unsigned")]
                abi = abi or name
    if not abi:
        return "The current {} is {}, but its ABI could not be read from `apt-cache depends`.".format(meta, version)
    pins = []
    for pkg in debian_kernel_packages(abi, signed, kbuild_package):
        pins.append("        \"{}\": \"{}\",".format(pkg, apt_show_field(rctx, apt, pkg, version, "SHA256") or "?"))
    return ("Debian keeps only the current kernel ABI on its mirror. The current one is {abi} ({meta} {version}); " +
            "move to it with:\n    abi = \"{abi}\",\n    version = \"{version}\",\n    sha256 = {{\n{pins}\n    }},").format(
        abi = abi,
        meta = meta,
        version = version,
        pins = "\n".join(pins),
    )

def config_values(text):
    """The CONFIG_X=value lines of a .config.

    Args:
      text: the .config's contents.

    Returns:
      dict: option -> value (as written, quotes included).
    """
    values = {}
    for line in text.splitlines():
        if line.startswith("CONFIG_") and "=" in line:
            k, v = line.split("=", 1)
            values[k] = v
    return values

# Module signature hashes and the crypto option that must be built in for each.
_HASH_CONFIG = [
    ("sha256", "CONFIG_CRYPTO_SHA256"),
    ("sha224", "CONFIG_CRYPTO_SHA256"),
    ("sha384", "CONFIG_CRYPTO_SHA512"),
    ("sha512", "CONFIG_CRYPTO_SHA512"),
    ("sha3-256", "CONFIG_CRYPTO_SHA3"),
    ("sha3-384", "CONFIG_CRYPTO_SHA3"),
    ("sha3-512", "CONFIG_CRYPTO_SHA3"),
]

def builtin_hashes(cfg):
    """The module signature hashes whose crypto is built into a kernel.

    Args:
      cfg: from config_values.

    Returns:
      list of hash names.
    """
    return [h for h, opt in _HASH_CONFIG if cfg.get(opt) == "y"]

def _debian_kernel_impl(rctx):
    what = "debian_kernel {}".format(rctx.attr.name)
    abi = rctx.attr.abi
    _, flavour, line = split_abi(abi)
    names = debian_kernel_packages(abi, rctx.attr.signed, rctx.attr.kbuild_package)
    missing = [n for n in names if n not in rctx.attr.sha256]
    extra = [n for n in rctx.attr.sha256 if n not in names]
    if missing or extra:
        fail("{}: sha256 must pin exactly the packages {} (missing: {}; unexpected: {})".format(
            what,
            ", ".join(names),
            ", ".join(missing) or "none",
            ", ".join(extra) or "none",
        ))
    apt = apt_context(rctx, what, rctx.attr.apt_sources or debian_apt_sources(rctx.attr.suite))
    dirs = fetch_debs(
        rctx,
        what,
        [struct(name = n, version = rctx.attr.version, sha256 = rctx.attr.sha256[n]) for n in names],
        apt,
        dest = "_pkgs",
        missing_hint = lambda rctx, apt, pkg: _current_kernel_hint(rctx, apt, flavour, rctx.attr.signed, rctx.attr.kbuild_package),
    )
    rctx.delete("_apt")
    image_dir, headers_dir, common_dir, kbuild_dir = [dirs[n] for n in names]
    base = names[2][len("linux-headers-"):-len("-common")]
    kbuild_name = names[3][len("linux-"):]  # kbuild-6.1

    def move(src, dst, hint):
        if not rctx.path(src).exists:
            fail("{}: {} has no {} ({})".format(what, hint, src.split("/", 2)[-1], src))
        _run(rctx, what, ["mv", src, dst])

    # The headers tree (the object tree of `make O=`), the -common tree it includes, and
    # linux-kbuild's host tools, side by side; prebuilt_kernel merges them.
    move(headers_dir + "/usr/src/linux-headers-" + abi, "headers", names[1])
    move(common_dir + "/usr/src/linux-headers-" + base + "-common", "common", names[2])
    move(kbuild_dir + "/usr/lib/linux-" + kbuild_name, "kbuild", names[3])

    # Their scripts/ and tools/ are links into linux-kbuild (supplied as `kbuild`); links that
    # lead out of the repository (none expected) would dangle in the sandbox.
    _run(rctx, what, ["find", "headers", "common", "-maxdepth", "1", "-type", "l", "(", "-name", "scripts", "-o", "-name", "tools", ")", "-delete"])
    _run(rctx, what, ["find", "headers", "common", "kbuild", "-xtype", "l", "-delete"])

    # The image, its config, and the modules asked for.
    move(image_dir + "/boot/vmlinuz-" + abi, "vmlinuz", names[0])
    move(image_dir + "/boot/config-" + abi, "config", names[0])
    mods = image_dir + "/lib/modules/" + abi + "/kernel"
    module_targets = []
    for m in rctx.attr.modules:
        if m.startswith("/") or ".." in m.split("/"):
            fail("{}: modules entry {} must be a path under lib/modules/{}/kernel".format(what, repr(m), abi))
        src = None
        for ext in ["", ".xz", ".zst", ".gz"]:
            if rctx.path(mods + "/" + m + ext).exists:
                src = m + ext
                break
        if not m.endswith(".ko") or not src:
            fail("{}: {} ships no {} (a .ko path under lib/modules/{}/kernel, e.g. drivers/net/dummy.ko)".format(what, names[0], m, abi))
        dst = "modules/" + m
        _run(rctx, what, ["mkdir", "-p", dst.rsplit("/", 1)[0]])
        _run(rctx, what, ["cp", mods + "/" + src, dst + src[len(m):]])
        if src != m:
            # Signed, then compressed: the kernel checks the signature of the decompressed module.
            tool = {".xz": ["xz", "-d"], ".zst": ["zstd", "-d", "-q", "--rm"], ".gz": ["gzip", "-d"]}[src[len(m):]]
            _run(rctx, what, tool + [dst + src[len(m):]])
        module_targets.append(m)
    rctx.delete("_pkgs")

    # The certificates built into the image: Debian signs its modules with the kernel's
    # ephemeral build key, whose certificate only exists there.
    script = rctx.path(Label("//rules/private/scripts:image_certs.sh"))
    _run(rctx, what, ["bash", str(script), "vmlinuz", "builtin_certs.pem", "signing_cert.pem"])

    # Facts of the build, read from its own files.
    release = ""
    for text in rctx.read("headers/include/generated/utsrelease.h").splitlines():
        if text.startswith("#define UTS_RELEASE "):
            release = text.split(" ", 2)[2].strip().strip("\"")
    if release != abi:
        fail("{}: the headers' UTS_RELEASE is {}, not {}".format(what, repr(release), repr(abi)))
    cfg = config_values(rctx.read("headers/.config"))
    cc = rctx.attr.cc
    if not cc:
        text = cfg.get("CONFIG_CC_VERSION_TEXT", "").strip("\"")
        cc = text.split(" ")[0] if text else "gcc"
    hashes = builtin_hashes(cfg)
    sig_hash = cfg.get("CONFIG_MODULE_SIG_HASH", "\"\"").strip("\"")
    rctx.file("kernel.release", release + "\n")

    defs = str(Label("//rules:defs.bzl"))
    lines = [
        "# Generated by rules_modsign's debian_kernel: Debian's {} ({}), packages {}.".format(abi, rctx.attr.version, ", ".join(names)),
        "load(\"{}\", \"prebuilt_kernel\", \"prebuilt_kernel_module\")".format(defs),
        "",
        "package(default_visibility = [\"//visibility:public\"])",
        "",
        "exports_files([\"vmlinuz\", \"config\", \"kernel.release\", \"signing_cert.pem\", \"builtin_certs.pem\"])",
        "",
        "# The signed boot image ({}).".format(names[0]),
        "filegroup(name = \"image\", srcs = [\"vmlinuz\"])",
        "",
        "# The certificate of the key Debian signed this kernel's modules with (built into the image).",
        "filegroup(name = \"signing_cert\", srcs = [\"signing_cert.pem\"])",
        "",
        "prebuilt_kernel(",
        "    name = \"kernel\",",
        "    tree = glob([\"headers/**\"]),",
        "    common = glob([\"common/**\"]),",
        "    kbuild = glob([\"kbuild/**\"]),",
        "    config = \"headers/.config\",",
        "    symvers = \"headers/Module.symvers\",",
        "    image = \"vmlinuz\",",
        "    signing_cert = \"signing_cert.pem\",",
        "    line = {},".format(repr(line)),
        "    cc = {},".format(repr(cc)),
        "    hashes = {},".format(repr(hashes)),
        "    release = {},".format(repr(release)),
        ")",
        "",
        "# This kernel signs its own modules with {}.".format(sig_hash or "(unknown)"),
        "filegroup(name = \"modules\", srcs = {})".format(repr(["modules/" + m for m in module_targets])),
    ]
    for m in module_targets:
        n = m.rsplit("/", 1)[-1][:-len(".ko")].replace("-", "_")
        lines += [
            "",
            "prebuilt_kernel_module(",
            "    name = \"module_{}\",".format(n),
            "    module = \"modules/{}\",".format(m),
            "    kernel = \":kernel\",",
            ")",
        ]
    rctx.file("BUILD.bazel", "\n".join(lines) + "\n")
    rctx.file("REPO.bazel", "")

debian_kernel = repository_rule(
    implementation = _debian_kernel_impl,
    doc = """Debian's kernel of one ABI, from its pinned packages: `prebuilt_kernel` and friends.

Fetches (see `fetch_debs`) `linux-image-<abi>` (the signed image, from linux-signed-*),
`linux-headers-<abi>`, `linux-headers-<base>-common` and `linux-kbuild-<line>` at `version`,
each checked against its digest in `sha256`, and provides:

| target | what |
| --- | --- |
| `:kernel` | a `prebuilt_kernel` (KernelBuildInfo) of the headers, -common and kbuild trees: `kernel_module` builds against it, the signing rules check `hashes`, `kernel_module_qemu_test` boots `:vmlinuz` |
| `:vmlinuz`, `:image` | the signed boot image `/boot/vmlinuz-<abi>` |
| `:config` | `/boot/config-<abi>` |
| `:signing_cert` | `signing_cert.pem`: the certificate of the key Debian signed its modules with (the kernel's build-time key, extracted from the image) |
| `:builtin_certs.pem` | every certificate built into the image |
| `:module_<name>` | a `prebuilt_kernel_module` per entry of `modules`, e.g. `:module_dummy` (Debian-signed) |
| `:modules` | those modules' files |
| `:kernel.release` | the release string (`uname -r`) |

When Debian has moved on to a newer ABI (its mirror keeps only the current one), the fetch
fails and prints the current ABI, version and digests to pin instead.
""",
    attrs = {
        "abi": attr.string(mandatory = True, doc = "The kernel ABI (`uname -r`), e.g. `6.1.0-57-amd64`."),
        "version": attr.string(mandatory = True, doc = "The Debian version of its packages, e.g. `6.1.192-3`."),
        "sha256": attr.string_dict(
            mandatory = True,
            doc = "Package name -> sha256 of its .deb, for exactly the four packages (a missing one is named in the error).",
        ),
        "signed": attr.bool(default = True, doc = "Use the Secure Boot signed image package (linux-image-<abi>) rather than -unsigned."),
        "modules": attr.string_list(
            default = ["drivers/net/dummy.ko"],
            doc = "Debian's modules to provide, as paths under lib/modules/<abi>/kernel (compressed ones are decompressed).",
        ),
        "kbuild_package": attr.string(doc = "The linux-kbuild package's name, when it is not linux-kbuild-<line>."),
        "cc": attr.string(doc = "The compiler to build modules with; default: the first word of CONFIG_CC_VERSION_TEXT (gcc-12 for 6.1)."),
        "suite": attr.string(default = "bookworm", doc = "The Debian suite to fetch from (its main, -updates and -security archives)."),
        "apt_sources": attr.string_list(doc = "sources.list lines for the private apt state, instead of those of `suite`."),
    },
)
