#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Test-time half of kdrv's kernel-build gates (see README.md here).

Subcommands (all print "kdrv-gate: FAIL <file>[:line] [<rule>] ..." for each
violation and exit 1 if there is one):

  report       compile results recorded at build time by gate_compile.sh
  symbols      undefined-symbol allow-list, forbidden symbols and sections
  ecpp         Embedded C++ rules over clang's AST and include graph
  atomic       fetch-add/exchange/compare-exchange are single instructions
  expect-fail  negative test: a bad input must fail a check, naming the
               input and the rule
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

# ---------------------------------------------------------------------------
# Rules. Every failure names one of these ids; the text says what to fix.
RULES = {
    # Compile-time rules (profiles A and B, standards matrix).
    "kernel.guard-variable": "no function-local statics or inline variables with dynamic "
    "initialization; the kernel has no guard variables (docs/kernel-build.md 4 rule 2)",
    "kernel.exceptions": "no exceptions: throw, try, catch (docs/kernel-build.md 4 rule 4)",
    "kernel.rtti": "no RTTI: typeid, dynamic_cast (docs/kernel-build.md 4 rule 4)",
    "kernel.std-header": "only stddef.h, stdint.h, stdbool.h, stdarg.h and stdatomic.h; no C++ "
    "library headers (docs/kernel-build.md 4 rule 5)",
    "kernel.atomic-size": "atomics only on naturally aligned objects of at most 8 bytes "
    "(docs/kernel-build.md 4 rule 6)",
    "kernel.floating-point": "no floating point outside the FP allow-list KDRV_GATE_FP_HEADERS in "
    "tests/kernel/CMakeLists.txt (docs/kernel-build.md 4 rule 9)",
    "kernel.tls": "no thread-local storage (docs/kernel-build.md 4 rule 7)",
    "kernel.warning": "warning-free at the gate's warning level (-Werror)",
    "kernel.compile": "must compile in this profile",
    # Symbol and section gate (docs/kernel-build.md 2, 3).
    "sym.not-exported": "undefined symbols must be in xnu's public kext export lists (BSDKernel, "
    "IOKit, Libkern, Mach; tests/kernel/exports); Unsupported and MACFramework are allowed "
    "and reported",
    "sym.private": "the symbol is exported only in xnu's Private list, which third-party kexts "
    "cannot link against",
    "sym.cxa": "no __cxa_* runtime except __cxa_pure_virtual",
    "sym.unwind": "no _Unwind_* (exceptions)",
    "sym.personality": "no __gxx_personality* (exceptions)",
    "sym.rtti": "no typeinfo (_ZTI*, _ZTS*, __cxxabiv1)",
    "sym.guard-variable": "no guard variables (_ZGV*, __cxa_guard_*)",
    "sym.static-destructor": "no static destructors (atexit, __cxa_atexit, __dso_handle)",
    "sym.tls": "no thread-local storage (__tls_get_addr, TLV, _ZTW/_ZTH)",
    "sym.libatomic": "no libatomic calls (__atomic_*, __sync_*, outline atomics): atomics only "
    "on naturally aligned objects of at most 8 bytes",
    "sym.aligned-new": "no aligned operator new/delete (std::align_val_t): the kernel does not "
    "export it",
    "sym.floating-point": "no soft-float library calls: floating point outside the FP "
    "allow-list KDRV_GATE_FP_HEADERS",
    "sec.exceptions": "no unwind or exception tables (.eh_frame, .gcc_except_table, "
    "__eh_frame, __compact_unwind, __gcc_except_tab)",
    "sec.static-init": "no dynamic initialization (.init_array, .ctors, __mod_init_func); a "
    "kext's own TU that defines an I/O Kit class (OSDefineMetaClassAndStructors) may have "
    "__mod_init_func, kdrv's headers never",
    "sec.static-destructor": "no static destructors (.fini_array, .dtors, __mod_term_func); a "
    "kext's own TU that defines an I/O Kit class may have __mod_term_func, kdrv's headers never",
    "sec.tls": "no thread-local storage sections",
    # Embedded C++ (docs/kernel-build.md 4 rule 4, 5, 7, 9).
    "ecpp.template": "Embedded C++: no templates (class, function, variable, alias) and no "
    "template instantiations",
    "ecpp.exceptions": "Embedded C++: no throw, try, catch or exception specifications",
    "ecpp.rtti": "Embedded C++: no typeid or dynamic_cast",
    "ecpp.multiple-inheritance": "Embedded C++: at most one direct base class",
    "ecpp.virtual-base": "Embedded C++: no virtual base classes",
    "ecpp.std-header": "kernel-visible headers include only kdrv headers, the SDK and "
    "stddef.h/stdint.h/stdbool.h/stdarg.h/stdatomic.h; no C++ library headers",
    "ecpp.include": "kernel-visible headers must not include user-only kdrv headers "
    "(sim/, testing/, gsl.hpp, testing.hpp, platform/posix*.hpp, platform/model*.hpp)",
    "ecpp.tls": "no thread_local",
    "ecpp.guard-variable": "no function-local static whose initializer calls a constructor or "
    "function that is not constexpr: that needs a guard variable (docs/kernel-build.md 4 rule 2)",
    "ecpp.dynamic-init": "no namespace-scope, static-member or inline variable whose initializer "
    "calls a constructor or function that is not constexpr (docs/kernel-build.md 4 rule 1)",
    "ecpp.static-destructor": "no object of static storage duration with a user-declared "
    "destructor (docs/kernel-build.md 4 rule 3)",
    "ecpp.floating-point": "no float/double outside the FP allow-list KDRV_GATE_FP_HEADERS in "
    "tests/kernel/CMakeLists.txt",
    "ecpp.parse": "the header must parse in the kernel configuration for the EC++ check",
    "gate.no-probe": "every kernel-visible header needs a use probe that calls its main "
    "operations: tests/kernel/uses/<name>.inc for kdrv/<name>.hpp (platform/xnu.hpp: "
    "platform_xnu.inc), or a '// probes:' line in another probe naming the header",
    "gate.not-built": "gate results missing: build target kdrv_kernel_gate (default build)",
    "atomic.instruction": "an atomic read-modify-write must be one locked instruction (or an "
    "exclusive-monitor loop on baseline ARMv8), never a call",
}

ALLOWED_C_HEADERS = {"stddef.h", "stdint.h", "stdbool.h", "stdarg.h", "stdatomic.h"}

# The kernel's exports: xnu's kext symbol sets per architecture, composed
# from xnu's config/*.exports by exports/regenerate.py (names only, Mach-O
# spelling with the leading underscore). A kext may link the public sets;
# Unsupported and MACFramework are linkable but not stable, so they are
# allowed and reported; Private (and anything unlisted) is refused.
EXPORTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exports")
PUBLIC_SETS = ("BSDKernel", "IOKit", "Libkern", "Mach")
REPORTED_SETS = ("Unsupported", "MACFramework")
REFUSED_SETS = ("Private",)


class ExportSets(object):
    """Symbol-set lookup for one architecture; wildcard entries match by prefix."""

    def __init__(self, arch, exports_dir=EXPORTS_DIR):
        self.arch = arch
        self.exact = {}
        self.prefixes = []
        for s in PUBLIC_SETS + REPORTED_SETS + REFUSED_SETS:
            path = os.path.join(exports_dir, arch, s + ".txt")
            with open(path) as f:
                for line in f:
                    name = line.strip()
                    if not name or name.startswith("#"):
                        continue
                    if name.endswith("*"):
                        self.prefixes.append((name[:-1], s))
                    else:
                        self.exact.setdefault(name, []).append(s)

    def sets_of(self, macho_name):
        found = list(self.exact.get(macho_name, []))
        for prefix, s in self.prefixes:
            if macho_name.startswith(prefix) and s not in found:
                found.append(s)
        return found

    def classify(self, macho_name):
        """'public', ('reported', set), ('refused', set) or None (not exported)."""
        sets = self.sets_of(macho_name)
        if any(s in PUBLIC_SETS for s in sets):
            return "public", None
        for s in REPORTED_SETS:
            if s in sets:
                return "reported", s
        for s in REFUSED_SETS:
            if s in sets:
                return "refused", s
        return None, None


_EXPORT_CACHE = {}


def export_sets(arch):
    if arch not in _EXPORT_CACHE:
        _EXPORT_CACHE[arch] = ExportSets(arch, EXPORTS_DIR)
    return _EXPORT_CACHE[arch]


SOFT_FLOAT = re.compile(
    r"^__(?:(?:add|sub|mul|div|neg|cmp|eq|ne|lt|le|gt|ge|unord)(?:sf|df|tf|xf)\d"
    r"|(?:extend|trunc)(?:hf|sf|df|tf|xf)(?:hf|sf|df|tf|xf)2"
    r"|fix(?:uns)?(?:sf|df|tf|xf)(?:si|di|ti)"
    r"|float(?:un)?(?:si|di|ti)(?:sf|df|tf|xf)"
    r"|powi(?:sf|df|tf|xf)2)$")

# Ordered: the first match names the rule.
FORBIDDEN_SYMBOLS = [
    ("sym.guard-variable", re.compile(r"^_ZGV|^__cxa_guard_")),
    ("sym.static-destructor", re.compile(r"^(?:atexit|__cxa_atexit|__cxa_finalize|__dso_handle)$")),
    ("sym.tls", re.compile(r"^(?:__tls_get_addr|_?_tlv_\w+|_ZTW|_ZTH)")),
    ("sym.personality", re.compile(r"^__gxx_personality")),
    ("sym.unwind", re.compile(r"^_Unwind_")),
    ("sym.rtti", re.compile(r"^_ZT[IS]|__cxxabiv1")),
    ("sym.libatomic", re.compile(r"^__atomic_|^__sync_|^__aarch64_(?:ldadd|ldclr|ldset|ldeor|swp|cas)")),
    ("sym.aligned-new", re.compile(r"St11align_val_t")),
    ("sym.floating-point", SOFT_FLOAT),
    ("sym.cxa", re.compile(r"^__cxa_(?!pure_virtual$)")),
]

ELF_SECTIONS = [
    ("sec.exceptions", re.compile(r"^(?:\.rela?)?\.(?:eh_frame|eh_frame_hdr|gcc_except_table)(?:\.|$)")),
    ("sec.static-init", re.compile(r"^(?:\.rela?)?\.(?:init_array|preinit_array|ctors)(?:\.|$)")),
    ("sec.static-destructor", re.compile(r"^(?:\.rela?)?\.(?:fini_array|dtors)(?:\.|$)")),
    ("sec.tls", re.compile(r"^(?:\.rela?)?\.(?:tdata|tbss)(?:\.|$)")),
]
# clang -fapple-kext emits no unwind section at all for clean code (no
# __eh_frame, no __compact_unwind), so any of them means exceptions or
# unwind tables crept in.
MACHO_SECTIONS = [
    ("sec.exceptions", re.compile(r"^(?:__gcc_except_tab|__eh_frame|__compact_unwind)$")),
    ("sec.static-init", re.compile(r"^(?:__mod_init_func|__StaticInit|__init_offsets)$")),
    ("sec.static-destructor", re.compile(r"^__mod_term_func$")),
    ("sec.tls", re.compile(r"^__thread_(?:vars|data|bss|ptrs)$")),
]


def fail(where, rule, detail):
    print("kdrv-gate: FAIL %s [%s] %s" % (where, rule, detail))
    print("    rule %s: %s" % (rule, RULES.get(rule, "")))


def warn(where, rule, detail):
    print("kdrv-gate: WARN %s [%s] %s" % (where, rule, detail))


# kdrv_add_kernel_check: the checking project's source tree, so that its
# files are named relative to it.
DISPLAY_ROOTS = []


def rel(path, root):
    try:
        real = os.path.realpath(path)
        for base in [root] + DISPLAY_ROOTS:
            r = os.path.relpath(real, base)
            if not r.startswith(".."):
                return r
        return path
    except ValueError:
        return path


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, **kw)


def workers():
    return max(1, min(4, os.cpu_count() or 1))


# ---------------------------------------------------------------------------
# Compile diagnostics.
DIAG = re.compile(r"^(?P<file>[^\s:][^:\n]*):(?P<line>\d+):(?:(?P<col>\d+):)? "
                  r"(?P<kind>fatal error|error|warning): (?P<msg>.*)$", re.M)
DRIVER = re.compile(r"^(?:clang|clang\+\+|g\+\+|gcc|cc1plus)[^:]*: (?:fatal )?error: (?P<msg>.*)$", re.M)

COMPILE_CLASSES = [
    ("kernel.guard-variable", re.compile(r"guard variable")),
    ("kernel.exceptions", re.compile(r"exceptions disabled|cannot use '(?:throw|try)'|exception handling")),
    ("kernel.rtti", re.compile(r"typeid|dynamic_cast|-frtti|\brtti\b", re.I)),
    ("kernel.std-header", re.compile(r"file not found|No such file or directory")),
    ("kernel.atomic-size", re.compile(r"large atomic operation|misaligned atomic|atomic-alignment")),
    ("kernel.floating-point", re.compile(r"SSE|x87|floating-point types|general-regs-only")),
    ("kernel.tls", re.compile(r"thread-local|thread_local")),
    ("kernel.warning", re.compile(r"\[-Werror")),
]


def classify_compile(log, root):
    """[(where, rule, message)] for each error in a compiler log."""
    out = []
    for m in DIAG.finditer(log):
        msg = m.group("msg")
        if m.group("kind") == "warning" and "-Werror" not in msg:
            continue
        rule = "kernel.compile"
        for r, rx in COMPILE_CLASSES:
            if rx.search(msg):
                rule = r
                break
        where = "%s:%s" % (rel(m.group("file"), root), m.group("line"))
        out.append((where, rule, msg))
    if not out:
        for m in DRIVER.finditer(log):
            out.append((None, "kernel.compile", m.group("msg")))
    return out


# ---------------------------------------------------------------------------
# Manifest written by CMake: group, profile, subject, status file, object.
def read_manifest(path):
    jobs = []
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 5:
                continue
            jobs.append(dict(zip(("group", "profile", "subject", "status", "obj"), parts)))
    return jobs


def read_status(job):
    try:
        with open(job["status"]) as f:
            first = f.readline().strip()
            return first.split()[0] if first else "FAIL", f.read()
    except OSError:
        return None, ""


def report_compile_failure(job, log, root, stream_fail=True):
    diags = classify_compile(log, root)
    subject = job["subject"]
    context = "profile %s, TU for %s" % (job["profile"], subject)
    if not diags:
        diags = [(None, "kernel.compile", "compiler failed without a diagnostic")]
    seen = set()
    for where, rule, msg in diags[:6]:
        key = (where, rule)
        if key in seen:
            continue
        seen.add(key)
        (fail if stream_fail else warn)(where or subject, rule, "%s: %s" % (context, msg))
    tail = log.strip().splitlines()[:40]
    for line in tail:
        print("      | " + line)


def cmd_report(args):
    jobs = [j for j in read_manifest(args.manifest) if j["group"] in args.group]
    failed = 0
    ok_objects = []
    for job in jobs:
        state, log = read_status(job)
        if state is None:
            failed += 1
            fail(job["subject"], "gate.not-built", "profile %s: no result at %s"
                 % (job["profile"], job["status"]))
            continue
        if state != "OK":
            failed += 1
            report_compile_failure(job, log, args.root)
            continue
        if job["obj"]:
            ok_objects.append(job)
        if args.log_only_symbols and log.strip():
            for m in DIAG.finditer(log):
                warn("%s:%s" % (rel(m.group("file"), args.root), m.group("line")), "kernel.warning",
                     "profile %s, TU for %s (logged): %s" % (job["profile"], job["subject"], m.group("msg")))
    print("kdrv-gate: %s: %d compiles, %d failed" % (",".join(args.group), len(jobs), failed))
    if args.log_only_symbols:
        findings = check_objects(args, ok_objects)
        for job, where, rule, detail in findings:
            warn(where, rule, "profile %s, TU for %s (g++ profile B is logged, not trusted): %s"
                 % (job["profile"], job["subject"], detail))
        print("kdrv-gate: %d symbol/section findings logged for g++ (not trusted; clang's "
              "profile B is the gate)" % len(findings))
    return 1 if failed else 0


# ---------------------------------------------------------------------------
# Symbol and section gate.
def object_format(path):
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic == b"\x7fELF":
        return "elf"
    if magic in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xfe\xed\xfa\xce"):
        return "macho"
    return "unknown"


def object_arch(path, fmt):
    """x86_64 or arm64 (the export lists to use). ELF objects of profile B are
    x86_64 and are checked against the x86_64 lists."""
    if fmt != "macho":
        return "x86_64"
    with open(path, "rb") as f:
        head = f.read(8)
    cputype = int.from_bytes(head[4:8], "little")
    return "arm64" if cputype == 0x0100000C else "x86_64"


# An object that defines an I/O Kit class has its metaclass object.
METACLASS_OBJECT = re.compile(r"^_?_ZN\d+\w+10gMetaClassE$")


def nm_symbols(nm, objs):
    """{obj: [(name, type)]} from one llvm-nm run."""
    result = {o: [] for o in objs}
    if not objs:
        return result
    p = run([nm, "-A", "-P", "--no-sort"] + objs)
    for line in p.stdout.splitlines():
        # "<file>: <name> <type> [value size]"
        m = re.match(r"^(.*?): (\S+) (\S)(?: |$)", line)
        if m and m.group(1) in result:
            result[m.group(1)].append((m.group(2), m.group(3)))
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
    return result


def objdump_sections(objdump, objs):
    result = {o: [] for o in objs}
    if not objs:
        return result
    p = run([objdump, "--section-headers"] + objs)
    current = None
    for line in p.stdout.splitlines():
        m = re.match(r"^(.*):\s+file format ", line)
        if m:
            current = m.group(1)
            continue
        m = re.match(r"^\s*\d+\s+(\S+)\s+[0-9a-fA-F]+\s", line)
        if m and current in result:
            result[current].append(m.group(1))
    return result


def check_object(fmt, arch, symbols, sections, allow_class_init=False):
    """[(rule, detail)] and [(note)] for one object.

    allow_class_init: accept __mod_init_func/__mod_term_func if the object
    defines an I/O Kit class (a gMetaClass object), as every such TU does
    with Kernel.framework. Never set for kdrv's own headers."""
    findings = []
    notes = []
    exports = export_sets(arch)
    defines_class = False
    for name, typ in symbols:
        plain = name[1:] if fmt == "macho" and name.startswith("_") else name
        undefined = typ in ("U", "w", "v")  # lower-case weak = undefined weak
        if not undefined and METACLASS_OBJECT.match(name):
            defines_class = True
        rule = None
        for r, rx in FORBIDDEN_SYMBOLS:
            if rx.search(plain):
                rule = r
                break
        if rule:
            findings.append((rule, "%s symbol %s" % ("undefined" if undefined else "defined", name)))
            continue
        if not undefined:
            continue
        macho = name if fmt == "macho" else "_" + name
        kind, which = exports.classify(macho)
        if kind == "public":
            continue
        if kind == "reported":
            notes.append(("kpi.reported", "undefined symbol %s is in xnu's %s export list (%s): "
                          "allowed, but not a stable KPI" % (name, which, arch)))
        elif kind == "refused":
            findings.append(("sym.private", "undefined symbol %s is exported only in xnu's %s "
                             "list (%s)" % (name, which, arch)))
        else:
            findings.append(("sym.not-exported", "undefined symbol %s is in none of xnu's kext "
                             "export lists (%s)" % (name, arch)))
    table = MACHO_SECTIONS if fmt == "macho" else ELF_SECTIONS
    for sec in sections:
        for r, rx in table:
            if rx.search(sec):
                if (allow_class_init and defines_class and fmt == "macho"
                        and sec in ("__mod_init_func", "__mod_term_func")):
                    notes.append(("sec.iokit-class", "section %s accepted: the TU defines an I/O Kit "
                                  "class" % sec))
                    break
                findings.append((r, "section %s" % sec))
                break
    return findings, notes


def check_objects(args, jobs, allow_class_init=False, notes_out=None):
    """[(job, where, rule, detail)] over the objects of successful compiles."""
    objs = [j["obj"] for j in jobs if j["obj"] and os.path.exists(j["obj"])]
    syms = nm_symbols(args.nm, objs)
    secs = objdump_sections(args.objdump, objs)
    out = []
    for job in jobs:
        o = job["obj"]
        if o not in syms:
            continue
        fmt = object_format(o)
        findings, notes = check_object(fmt, object_arch(o, fmt), syms[o], secs[o], allow_class_init)
        for rule, detail in findings:
            out.append((job, job["subject"], rule, detail))
        if notes_out is not None:
            for n in notes:
                notes_out.append((job, n))
    return out


def cmd_symbols(args):
    jobs = [j for j in read_manifest(args.manifest) if j["group"] in args.group and j["obj"]]
    built = [j for j in jobs if read_status(j)[0] == "OK"]
    notes = []
    findings = check_objects(args, built, notes_out=notes)
    for job, where, rule, detail in findings:
        fail(where, rule, "profile %s: %s" % (job["profile"], detail))
    for job, (tag, note) in notes:
        print("kdrv-gate: NOTE %s [%s] profile %s: %s" % (job["subject"], tag, job["profile"], note))
    print("kdrv-gate: symbols/sections of %d objects (%d of %d compiled; compile failures are "
          "reported by the kext/elf tests): %d findings"
          % (len(built), len(built), len(jobs), len(findings)))
    return 1 if findings else 0


# ---------------------------------------------------------------------------
# Embedded C++ check.
def is_kernel_visible(name):
    """name relative to include/, e.g. kdrv/base.hpp. Same rule as CMakeLists.txt."""
    return not (name.startswith(("kdrv/sim/", "kdrv/testing/"))
                or name in ("kdrv/gsl.hpp", "kdrv/testing.hpp")
                or re.match(r"kdrv/platform/(?:posix|model)(?:_\w+)?\.hpp$", name))


def kernel_visible_headers(root):
    inc = os.path.join(root, "include")
    out = []
    for dirpath, _, files in os.walk(os.path.join(inc, "kdrv")):
        for fn in files:
            if not fn.endswith(".hpp"):
                continue
            r = os.path.relpath(os.path.join(dirpath, fn), inc).replace(os.sep, "/")
            if not is_kernel_visible(r):
                continue
            out.append(os.path.realpath(os.path.join(inc, r)))
    return sorted(out)


CLANG_QUERY_MATCHERS = r"""
set traversal AsIs
set bind-root false
set output diag
match classTemplateDecl().bind("ecpp.template")
match functionTemplateDecl().bind("ecpp.template")
match templateTypeParmDecl().bind("ecpp.template")
match nonTypeTemplateParmDecl().bind("ecpp.template")
match templateTemplateParmDecl().bind("ecpp.template")
match typeAliasTemplateDecl().bind("ecpp.template")
match classTemplateSpecializationDecl().bind("ecpp.template")
match typeLoc(loc(templateSpecializationType())).bind("ecpp.template")
match declRefExpr(to(functionDecl(isTemplateInstantiation()))).bind("ecpp.template")
match cxxThrowExpr().bind("ecpp.exceptions")
match cxxTryStmt().bind("ecpp.exceptions")
match functionDecl(hasDynamicExceptionSpec()).bind("ecpp.exceptions")
match cxxDynamicCastExpr().bind("ecpp.rtti")
match expr(hasType(hasUnqualifiedDesugaredType(recordType(hasDeclaration(cxxRecordDecl(hasName("::std::type_info"))))))).bind("ecpp.rtti")
match cxxRecordDecl(isDefinition(), hasDirectBase(hasType(cxxRecordDecl().bind("base"))), hasDirectBase(hasType(cxxRecordDecl(unless(equalsBoundNode("base")))))).bind("ecpp.multiple-inheritance")
match cxxRecordDecl(isDefinition(), hasAnyBase(isVirtual())).bind("ecpp.virtual-base")
match varDecl(hasThreadStorageDuration()).bind("ecpp.tls")
match varDecl(isStaticLocal(), hasInitializer(anyOf(NONCONST, hasDescendant(NONCONST)))).bind("ecpp.guard-variable")
match varDecl(hasGlobalStorage(), unless(isStaticLocal()), hasInitializer(anyOf(NONCONST, hasDescendant(NONCONST)))).bind("ecpp.dynamic-init")
match varDecl(hasStaticStorageDuration(), hasType(hasUnqualifiedDesugaredType(recordType(hasDeclaration(cxxRecordDecl(has(cxxDestructorDecl(unless(isImplicit()))))))))).bind("ecpp.static-destructor")
match floatLiteral().bind("ecpp.floating-point")
match expr(hasType(realFloatingPointType())).bind("ecpp.floating-point")
match valueDecl(hasType(realFloatingPointType())).bind("ecpp.floating-point")
match valueDecl(hasType(pointsTo(realFloatingPointType()))).bind("ecpp.floating-point")
match valueDecl(hasType(arrayType(hasElementType(realFloatingPointType())))).bind("ecpp.floating-point")
match functionDecl(returns(realFloatingPointType())).bind("ecpp.floating-point")
"""

# An initializer that is not a constant expression: a call of a constructor
# or function that is not constexpr (implicit, defaulted constructors are
# left to the compile gates).
CLANG_QUERY_MATCHERS = CLANG_QUERY_MATCHERS.replace(
    "NONCONST",
    "anyOf(cxxConstructExpr(hasDeclaration(cxxConstructorDecl(unless(anyOf(isConstexpr(), isDefaulted()))))),"
    " callExpr(callee(functionDecl(unless(isConstexpr())))))")

BINDS = re.compile(r'^(?P<file>[^\s:][^:\n]*):(?P<line>\d+):(?P<col>\d+): note: "(?P<rule>ecpp\.[\w-]+)" binds here', re.M)


# Where kdrv's headers and the stand-in SDK are: the source tree by default,
# the installed package for kdrv_add_kernel_check (see main()).
PATHS = {}


def kdrv_include(root):
    return PATHS.get("include") or os.path.join(root, "include")


def sdk_include(root):
    return PATHS.get("sdk") or os.path.join(root, "sdk", "include")


def sdk_freestanding(root):
    return PATHS.get("freestanding") or os.path.join(root, "sdk", "freestanding")


def ecpp_flags(root, extra=()):
    return (["-x", "c++", "-std=gnu++17", "-DKERNEL", "-I", kdrv_include(root)] + list(extra)
            + ["-isystem", sdk_include(root)])


def include_line(header, name):
    try:
        with open(header, errors="replace") as f:
            for n, line in enumerate(f, 1):
                if re.match(r"\s*#\s*include\s*[<\"]([^>\"]*/)?%s[>\"]" % re.escape(name), line):
                    return n
    except OSError:
        pass
    return None


def include_graph_findings(root, clangxx, header, visible, allowed_dirs=(), extra=()):
    """Direct includes made by kernel-visible headers (or a user's checked
    files), from clang -H. Files under allowed_dirs may be included too."""
    p = run([clangxx] + ecpp_flags(root, extra) + ["-E", "-H", "-o", os.devnull, "-"],
            input='#include "%s"\n' % header)
    findings = []
    stack = []  # stack[d-1] = file at depth d
    sdk = os.path.realpath(sdk_include(root)) + os.sep
    kdrv_dir = os.path.realpath(os.path.join(kdrv_include(root), "kdrv")) + os.sep
    own = [os.path.realpath(d) + os.sep for d in allowed_dirs]
    for line in p.stderr.splitlines():
        m = re.match(r"^(\.+) (.*)$", line)
        if m:
            depth = len(m.group(1))
            path = os.path.realpath(m.group(2))
            del stack[depth - 1:]
            includer = stack[-1] if stack else None
            stack.append(path)
            if includer not in visible:
                continue
            name = os.path.basename(path)
            if path.startswith(kdrv_dir):
                if not is_kernel_visible("kdrv/" + path[len(kdrv_dir):].replace(os.sep, "/")):
                    findings.append((includer, include_line(includer, name), "ecpp.include",
                                     "includes user-only header %s" % rel(path, root)))
            elif path.startswith(sdk):
                pass
            elif any(path.startswith(d) for d in own):
                pass
            elif name in ALLOWED_C_HEADERS:
                pass
            else:
                findings.append((includer, include_line(includer, name), "ecpp.std-header",
                                 "includes <%s> (%s)" % (name, path)))
            continue
        m = DIAG.match(line)
        if m and m.group("kind") != "warning":
            f = os.path.realpath(m.group("file"))
            if f in visible:
                rule = "ecpp.std-header" if "not found" in m.group("msg") else "ecpp.parse"
                findings.append((f, int(m.group("line")), rule, m.group("msg")))
    return findings


def ecpp_findings(root, clangxx, clang_query, visible, fp_exempt, units=None, allowed_dirs=(),
                  extra=(), allow_metaclass=False):
    """EC++ findings located in a file of `visible`. units: the files to parse,
    each as its own translation unit (default: one TU of every visible file)."""
    findings = []
    graph_roots = sorted(units) if units else sorted(visible)
    with ThreadPoolExecutor(workers()) as pool:
        for res in pool.map(lambda h: include_graph_findings(root, clangxx, h, visible, allowed_dirs, extra),
                            graph_roots):
            findings.extend(res)
    text = ""
    with tempfile.TemporaryDirectory() as tmp:
        matchers = os.path.join(tmp, "matchers.txt")
        with open(matchers, "w") as f:
            f.write(CLANG_QUERY_MATCHERS)
        groups = [[u] for u in sorted(units)] if units else [sorted(visible)]
        for n, group in enumerate(groups):
            tu = os.path.join(tmp, "ecpp_%d.cpp" % n)
            with open(tu, "w") as f:
                for h in group:
                    f.write('#include "%s"\n' % h)
            p = run([clang_query, "-f", matchers, tu, "--"] + ecpp_flags(root, extra)
                    + ["-fexceptions", "-fcxx-exceptions", "-frtti", "-Wno-everything"])
            text += p.stdout + "\n" + p.stderr + "\n"
    if "Matcher not found" in text or "Error parsing" in text:
        print(text)
        findings.append((tu, None, "ecpp.parse", "clang-query rejected a matcher"))
    for m in BINDS.finditer(text):
        f = os.path.realpath(m.group("file"))
        if f not in visible:
            continue
        rule = m.group("rule")
        if rule == "ecpp.floating-point" and f in fp_exempt:
            continue
        if allow_metaclass and rule in ("ecpp.dynamic-init", "ecpp.static-destructor") and defines_metaclass(f, int(m.group("line"))):
            continue
        findings.append((f, int(m.group("line")), rule, "clang AST match (col %s)" % m.group("col")))
    for m in DIAG.finditer(text):
        if m.group("kind") == "warning":
            continue
        f = os.path.realpath(m.group("file"))
        if f not in visible:
            continue
        msg = m.group("msg")
        if "typeid" in msg or "dynamic_cast" in msg:
            rule = "ecpp.rtti"
        elif "not found" in msg:
            rule = "ecpp.std-header"
        elif "throw" in msg or "exceptions" in msg:
            rule = "ecpp.exceptions"
        else:
            rule = "ecpp.parse"
        findings.append((f, int(m.group("line")), rule, msg))
    # One line per (file, line, rule).
    seen = set()
    unique = []
    for f, line, rule, detail in findings:
        key = (f, line, rule)
        if key not in seen:
            seen.add(key)
            unique.append((f, line, rule, detail))
    return unique


def defines_metaclass(path, line):
    """True if line `line` of path is an OSDefineMetaClass... macro: the
    metaclass object it defines is a global with a constructor and a
    destructor by design (a kext's own class TU, never a kdrv header)."""
    try:
        with open(path, errors="replace") as f:
            for n, text in enumerate(f, 1):
                if n == line:
                    return re.match(r"\s*OS(?:Define|Declare)\w*(?:MetaClass|Structors)\w*\s*\(", text) is not None
    except OSError:
        pass
    return False


def probe_registry(uses_dir):
    """{header (e.g. kdrv/base.hpp): [probe files]}. A probe uses/<stem>.inc
    registers kdrv/<stem>.hpp, '_' standing for '/' where the file name does
    not exist as is (platform_xnu.inc -> kdrv/platform/xnu.hpp); a line
    '// probes: kdrv/a.hpp kdrv/b.hpp' registers more headers."""
    reg = {}
    if not os.path.isdir(uses_dir):
        return reg
    for fn in sorted(os.listdir(uses_dir)):
        if not fn.endswith(".inc"):
            continue
        path = os.path.join(uses_dir, fn)
        stem = fn[:-4]
        names = {"kdrv/%s.hpp" % stem}
        if "_" in stem:
            parts = stem.split("_")
            for i in range(1, len(parts)):
                names.add("kdrv/%s/%s.hpp" % ("_".join(parts[:i]), "_".join(parts[i:])))
        with open(path, errors="replace") as f:
            for line in f:
                m = re.match(r"\s*//\s*probes:\s*(.*)$", line)
                if m:
                    names.update(m.group(1).split())
        for n in names:
            reg.setdefault(n, []).append(fn)
    return reg


def cmd_probes(args):
    reg = probe_registry(args.uses)
    inc = kdrv_include(args.root)
    missing = 0
    headers = kernel_visible_headers(args.root)
    for h in headers:
        name = os.path.relpath(h, os.path.realpath(inc)).replace(os.sep, "/")
        if name in reg:
            print("kdrv-gate: ok %s probed by %s" % (name, ", ".join(reg[name])))
            continue
        missing += 1
        fail(rel(h, args.root), "gate.no-probe", "no use probe in %s calls %s" % (rel(args.uses, args.root), name))
    print("kdrv-gate: %d kernel-visible headers, %d without a use probe" % (len(headers), missing))
    return 1 if missing else 0


def cmd_ecpp(args):
    visible = set(kernel_visible_headers(args.root))
    fp = {os.path.realpath(os.path.join(args.root, "include", h))
          for h in (args.fp_headers or "").split(",") if h}
    findings = ecpp_findings(args.root, args.clangxx, args.clang_query, visible, fp)
    for f, line, rule, detail in findings:
        where = rel(f, args.root) + (":%d" % line if line else "")
        fail(where, rule, detail)
    print("kdrv-gate: Embedded C++ check of %d kernel-visible headers: %d findings"
          % (len(visible), len(findings)))
    return 1 if findings else 0


# ---------------------------------------------------------------------------
# Atomic disassembly.
ATOMIC_FUNCTIONS = ["fetch_add_u32", "fetch_add_u64", "exchange_u32", "exchange_u64",
                    "compare_exchange_u32", "compare_exchange_u64"]


def read_profile(profiles, name):
    with open(os.path.join(profiles, name + ".flags")) as f:
        lines = [l for l in f.read().splitlines() if l]
    return lines[0], lines[1:]


def disassemble(objdump, obj, arch):
    extra = ["--mattr=+lse"] if arch == "arm64" else []
    p = run([objdump, "-d", "--no-show-raw-insn"] + extra + [obj])
    funcs = {}
    current = None
    for line in p.stdout.splitlines():
        m = re.match(r"^[0-9a-fA-F]+ <(.*)>:$", line)
        if m:
            current = m.group(1).lstrip("_")
            funcs[current] = []
            continue
        m = re.match(r"^\s*[0-9a-fA-F]+:\s+(.*)$", line)
        if m and current:
            insn = re.sub(r"\s+", " ", m.group(1).strip().lower())
            body = funcs[current]
            # llvm-objdump prints x86 prefixes (lock) on a line of their own.
            if body and body[-1] in ("lock", "rep", "repne"):
                body[-1] = body[-1] + " " + insn
            else:
                body.append(insn)
    return funcs


def check_atomic_function(arch, mode, opt, name, insns):
    """None if fine, else a description of the problem.

    At -O0 the memory order reaches the builtin as a run-time value, so the
    compiler emits one variant per order behind a switch (and Mach-O x86_64
    keeps that switch's jump table inside the code): there we require at
    least one such instruction of the right kind; calls are excluded by the
    empty undefined-symbol list. At -O2 exactly one instruction, no call."""
    text = "\n".join(insns)
    exact = opt != "O0"
    if arch == "x86_64":
        if exact and re.search(r"^call", text, re.M):
            return "calls a function"
        want = {"fetch_add": r"^lock (?:xadd|add|inc)", "exchange": r"^xchg",
                "compare_exchange": r"^lock cmpxchg"}
    else:
        if exact and re.search(r"^blr? ", text, re.M):
            return "calls a function"
        lse = {"fetch_add": r"^ldadd", "exchange": r"^swp", "compare_exchange": r"^cas"}
        if mode == "lse":
            want = lse
        else:
            # Baseline ARMv8: LSE if the CPU has it, else an exclusive loop.
            kind = name.rsplit("_", 1)[0]
            if re.search(lse[kind], text, re.M):
                return None
            if re.search(r"^ld[a]?xr", text, re.M) and re.search(r"^st[l]?xr", text, re.M):
                return None
            return "neither an LSE instruction nor an ldxr/stxr loop"
    kind = name.rsplit("_", 1)[0]
    n = len(re.findall(want[kind], text, re.M))
    if n == 0 or (exact and n != 1):
        return "expected exactly one %s instruction, found %d" % (want[kind].strip("^"), n)
    return None


def exact_count(opt):
    return opt != "O0"


def cmd_atomic(args):
    os.makedirs(args.work, exist_ok=True)
    inc = ["-I", os.path.join(args.root, "include")]
    configs = []
    for opt in ("O0", "Os"):
        cc, flags = read_profile(args.profiles, "kext-x86_64-gnu++11-" + opt)
        configs.append(("kext-x86_64-" + opt, "x86_64", "lse", opt, cc, flags))
        cc, flags = read_profile(args.profiles, "kext-arm64-gnu++17-" + opt)
        # Apple's default arm64 CPU has LSE; -mcpu=generic is baseline ARMv8.
        configs.append(("kext-arm64-" + opt, "arm64", "lse", opt, cc, flags))
        configs.append(("kext-arm64-armv8.1a-" + opt, "arm64", "lse", opt, cc,
                        flags + ["-mcpu=generic", "-march=armv8.1-a"]))
        configs.append(("kext-arm64-armv8a-" + opt, "arm64", "base", opt, cc, flags + ["-mcpu=generic"]))
    if os.uname().machine in ("x86_64", "amd64"):
        for cc, label in ((args.clangxx, "clang"), (args.gxx, "gcc")):
            for std in ("c++11", "c++17"):
                configs.append(("user-%s-%s-O2" % (label, std), "x86_64", "lse", "O2", cc,
                                ["-std=" + std, "-O2", "-Wall", "-Wextra", "-Werror"] + inc))
    failed = 0

    def one(cfg):
        label, arch, mode, opt, cc, flags = cfg
        obj = os.path.join(args.work, label + ".o")
        p = run([cc] + flags + ["-c", args.source, "-o", obj])
        return cfg, obj, p

    with ThreadPoolExecutor(workers()) as pool:
        results = list(pool.map(one, configs))
    allowed_none = set()
    for (label, arch, mode, opt, cc, flags), obj, p in results:
        if p.returncode != 0:
            failed += 1
            fail(rel(args.source, args.root), "kernel.compile", "%s: %s" % (label, p.stderr.strip()))
            continue
        for name, typ in nm_symbols(args.nm, [obj])[obj]:
            plain = name.lstrip("_")
            if typ == "U" and plain not in allowed_none:
                failed += 1
                fail(rel(args.source, args.root), "sym.libatomic" if "atomic" in plain or "aarch64" in plain
                     else "atomic.instruction", "%s: undefined symbol %s" % (label, name))
        funcs = disassemble(args.objdump, obj, arch)
        for fn in ATOMIC_FUNCTIONS:
            key = "kdrv_disasm_" + fn
            insns = funcs.get(key)
            if insns is None:
                failed += 1
                fail(rel(args.source, args.root), "atomic.instruction", "%s: function %s not found" % (label, key))
                continue
            problem = check_atomic_function(arch, mode, opt, fn, insns)
            if problem:
                failed += 1
                fail(rel(args.source, args.root), "atomic.instruction",
                     "%s: kdrv::Atomic %s: %s\n      | %s" % (label, fn, problem, "\n      | ".join(insns)))
            else:
                core = [i for i in insns if re.match(r"lock|xchg|ldadd|swp|cas|ld[a]?xr|st[l]?xr", i)]
                if exact_count(opt):
                    print("kdrv-gate: ok %-26s %-22s %s" % (label, fn, "; ".join(core)))
                else:
                    print("kdrv-gate: ok %-26s %-22s %d atomic instructions (one per memory "
                          "order), no call" % (label, fn, len(core)))
    print("kdrv-gate: atomic disassembly over %d configurations: %d problems" % (len(configs), failed))
    return 1 if failed else 0


# ---------------------------------------------------------------------------
# Negative tests.
def cmd_expect_fail(args):
    bad = os.path.realpath(args.input)
    name = os.path.basename(bad)
    os.makedirs(args.work, exist_ok=True)
    lines = []

    def emit(where, rule, detail):
        lines.append((where, rule, detail))
        fail(where, rule, detail)

    if args.check == "ecpp":
        for f, line, rule, detail in ecpp_findings(args.root, args.clangxx, args.clang_query, {bad}, set()):
            emit(rel(f, args.root) + (":%d" % line if line else ""), rule, detail)
    else:
        cc, flags = read_profile(args.profiles, args.profile)
        tu = os.path.join(args.work, "tu.cpp")
        with open(tu, "w") as f:
            f.write('#include "%s"\n' % bad)
        mode = ["-fsyntax-only"] if args.profile.startswith("std-") else ["-c", "-o", os.path.join(args.work, "tu.o")]
        p = run([cc] + flags + args.extra_flag + mode + [tu])
        job = {"profile": args.profile, "subject": rel(bad, args.root), "obj": os.path.join(args.work, "tu.o")}
        if p.returncode != 0:
            if args.check != "compile":
                print(p.stderr)
                print("kdrv-gate: negative test setup failed: %s must compile in %s so that the "
                      "symbol gate can inspect it" % (name, args.profile))
                return 1
            for where, rule, msg in classify_compile(p.stderr, args.root):
                emit(where or job["subject"], rule, "profile %s: %s" % (args.profile, msg))
        elif args.check == "symbols":
            for _, where, rule, detail in check_objects(args, [job]):
                emit(where, rule, "profile %s: %s" % (args.profile, detail))
    named = [l for l in lines if name in l[0] and l[1] == args.rule
             and (not args.symbol or re.search(r"\b_*%s\b" % re.escape(args.symbol), l[2]))]
    if named:
        print("kdrv-gate: negative test passed: %s fails the %s check with rule %s"
              % (name, args.check, args.rule))
        return 0
    print("kdrv-gate: negative test FAILED: expected the %s check to report rule %s naming %s%s; "
          "got %s" % (args.check, args.rule, name, " and symbol " + args.symbol if args.symbol else "",
                      [(w, r) for w, r, _ in lines] or "no failure"))
    return 1


# ---------------------------------------------------------------------------
# kdrv_add_kernel_check: the same checks over a team's own sources.
KEXT_TRIPLES = {"x86_64": "x86_64-apple-macos11", "arm64": "arm64e-apple-macos11"}


def kext_flags(root, arch, std, opt):
    """Xcode's kernel-extension compile (docs/kernel-build.md), over kdrv and
    the stand-in SDK with its own C headers."""
    return ["--target=" + KEXT_TRIPLES[arch], "-x", "c++", "-std=" + std, "-" + opt,
            "-mkernel", "-nostdinc", "-nostdinc++", "-fno-builtin", "-fno-common",
            "-fapple-kext", "-fno-exceptions", "-fno-rtti", "-fcheck-new",
            "-DKERNEL", "-DKERNEL_PRIVATE", "-DDRIVER_PRIVATE", "-DAPPLE", "-DNeXT",
            "-I", kdrv_include(root), "-isystem", sdk_freestanding(root), "-isystem", sdk_include(root)]


def cmd_check(args):
    sources = [os.path.realpath(x) for x in args.source]
    user = []
    for d in args.include_dir:
        user += ["-I", d]
    user += ["-D" + d for d in args.define]
    failed = 0
    if args.what == "ecpp":
        dirs = args.include_dir + sorted({os.path.dirname(x) for x in sources})
        visible = set(sources)
        for d in dirs:
            for dirpath, _, files in os.walk(d):
                for fn in files:
                    if re.search(r"\.(?:h|hh|hpp|hxx|inc|ipp|c|cc|cpp|cxx)$", fn):
                        visible.add(os.path.realpath(os.path.join(dirpath, fn)))
        findings = ecpp_findings(args.root, args.clangxx, args.clang_query, visible, set(),
                                 units=sources, allowed_dirs=dirs, extra=user, allow_metaclass=True)
        for f, line, rule, detail in findings:
            fail(rel(f, args.root) + (":%d" % line if line else ""), rule, detail)
        print("kdrv-gate: Embedded C++ check of %d sources: %d findings" % (len(sources), len(findings)))
        return 1 if findings else 0

    os.makedirs(args.work, exist_ok=True)
    cells = [(src, std, opt) for src in sources for std in args.std for opt in args.opt]

    def one(cell):
        src, std, opt = cell
        tag = "%s-%s-%s-%s" % (os.path.basename(src), args.arch, std.replace("+", "x"), opt)
        obj = os.path.join(args.work, tag + ".o")
        flags = kext_flags(args.root, args.arch, std, opt) + user + args.warning
        p = run([args.clangxx] + flags + ["-c", src, "-o", obj])
        return cell, obj, p

    with ThreadPoolExecutor(workers()) as pool:
        results = list(pool.map(one, cells))
    jobs = []
    for (src, std, opt), obj, p in results:
        profile = "kext-%s-%s-%s" % (args.arch, std, opt)
        if p.returncode != 0:
            failed += 1
            report_compile_failure({"profile": profile, "subject": rel(src, args.root)}, p.stderr, args.root)
            continue
        print("kdrv-gate: ok %s compiled (%s)" % (rel(src, args.root), profile))
        jobs.append({"profile": profile, "subject": rel(src, args.root), "obj": obj})
    notes = []
    findings = check_objects(args, jobs, allow_class_init=True, notes_out=notes)
    for job, where, rule, detail in findings:
        failed += 1
        fail(where, rule, "profile %s: %s" % (job["profile"], detail))
    for job, (tag, note) in notes:
        print("kdrv-gate: NOTE %s [%s] profile %s: %s" % (job["subject"], tag, job["profile"], note))
    print("kdrv-gate: kext check (%s): %d compiles, %d objects checked, %d problems"
          % (args.arch, len(cells), len(jobs), failed))
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", required=True, help="kdrv source tree")
    ap.add_argument("--manifest")
    ap.add_argument("--nm", default="llvm-nm")
    ap.add_argument("--objdump", default="llvm-objdump")
    ap.add_argument("--kdrv-include", help="kdrv's include directory (default <root>/include)")
    ap.add_argument("--sdk-dir", help="the stand-in SDK, holding include/ and freestanding/ "
                    "(default <root>/sdk)")
    ap.add_argument("--exports", help="export data (default: exports/ next to this script)")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("report")
    p.add_argument("--group", action="append", required=True)
    p.add_argument("--log-only-symbols", action="store_true",
                   help="also run the symbol gate on the group's objects, as warnings")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("symbols")
    p.add_argument("--group", action="append", required=True)
    p.set_defaults(func=cmd_symbols)

    p = sub.add_parser("ecpp")
    p.add_argument("--clangxx", required=True)
    p.add_argument("--clang-query", required=True)
    p.add_argument("--fp-headers", default="")
    p.set_defaults(func=cmd_ecpp)

    p = sub.add_parser("probes", help="every kernel-visible header has a use probe")
    p.add_argument("--uses", required=True)
    p.set_defaults(func=cmd_probes)

    p = sub.add_parser("atomic")
    p.add_argument("--clangxx", required=True)
    p.add_argument("--gxx", required=True)
    p.add_argument("--profiles", required=True)
    p.add_argument("--source", required=True)
    p.add_argument("--work", required=True)
    p.set_defaults(func=cmd_atomic)

    p = sub.add_parser("check", help="kdrv_add_kernel_check: a team's sources")
    p.add_argument("what", choices=("kext", "ecpp"))
    p.add_argument("--source", action="append", required=True)
    p.add_argument("--arch", choices=sorted(KEXT_TRIPLES), default="x86_64")
    p.add_argument("--std", action="append", default=[])
    p.add_argument("--opt", action="append", default=[])
    p.add_argument("--include-dir", action="append", default=[])
    p.add_argument("--define", action="append", default=[])
    p.add_argument("--warning", action="append", default=[], help="extra warning flag")
    p.add_argument("--work", default=".")
    p.add_argument("--clangxx", required=True)
    p.add_argument("--clang-query")
    p.add_argument("--display-root", action="append", default=[],
                   help="name files under this directory relative to it")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("expect-fail")
    p.add_argument("--check", choices=("compile", "symbols", "ecpp"), required=True)
    p.add_argument("--rule", required=True)
    p.add_argument("--input", required=True)
    p.add_argument("--profile")
    p.add_argument("--profiles")
    p.add_argument("--work", required=True)
    p.add_argument("--clangxx")
    p.add_argument("--clang-query")
    p.add_argument("--extra-flag", action="append", default=[])
    p.add_argument("--symbol", help="the failure must also name this symbol")
    p.set_defaults(func=cmd_expect_fail)

    args = ap.parse_args()
    args.root = os.path.realpath(args.root)
    if args.kdrv_include:
        PATHS["include"] = args.kdrv_include
    if args.sdk_dir:
        PATHS["sdk"] = os.path.join(args.sdk_dir, "include")
        PATHS["freestanding"] = os.path.join(args.sdk_dir, "freestanding")
    if args.exports:
        global EXPORTS_DIR
        EXPORTS_DIR = args.exports
    if args.command == "check":
        DISPLAY_ROOTS.extend(os.path.realpath(d) for d in args.display_root)
        args.std = args.std or ["gnu++11", "gnu++17"]
        args.opt = args.opt or ["O0", "Os"]
    sys.stdout.reconfigure(line_buffering=True)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
