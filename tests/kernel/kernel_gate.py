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
    "initialization; the kernel has no guard variables (kernel-build.md 5 rule 2)",
    "kernel.exceptions": "no exceptions: throw, try, catch (kernel-build.md 5 rule 4)",
    "kernel.rtti": "no RTTI: typeid, dynamic_cast (kernel-build.md 5 rule 4)",
    "kernel.std-header": "only stddef.h, stdint.h, stdbool.h, stdarg.h and stdatomic.h; no C++ "
    "library headers (kernel-build.md 5 rule 5)",
    "kernel.atomic-size": "atomics only on naturally aligned objects of at most 8 bytes "
    "(kernel-build.md 5 rule 6)",
    "kernel.floating-point": "no floating point outside the FP allow-list KDRV_GATE_FP_HEADERS in "
    "tests/kernel/CMakeLists.txt (kernel-build.md 5 rule 9)",
    "kernel.tls": "no thread-local storage (kernel-build.md 5 rule 7)",
    "kernel.warning": "warning-free at the gate's warning level (-Werror)",
    "kernel.compile": "must compile in this profile",
    # Symbol and section gate (kernel-build.md 3, 4.3).
    "sym.not-exported": "undefined symbols must be kernel exports (operator new/delete, "
    "__cxa_pure_virtual, mem*/bzero/strlen, stack protector) or KPIs declared in sdk/include",
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
    "sec.static-init": "no dynamic initialization (.init_array, .ctors, __mod_init_func)",
    "sec.static-destructor": "no static destructors (.fini_array, .dtors, __mod_term_func)",
    "sec.tls": "no thread-local storage sections",
    # Embedded C++ (kernel-build.md 5 rule 4, 5, 7, 9).
    "ecpp.template": "Embedded C++: no templates (class, function, variable, alias) and no "
    "template instantiations",
    "ecpp.exceptions": "Embedded C++: no throw, try, catch or exception specifications",
    "ecpp.rtti": "Embedded C++: no typeid or dynamic_cast",
    "ecpp.multiple-inheritance": "Embedded C++: at most one direct base class",
    "ecpp.virtual-base": "Embedded C++: no virtual base classes",
    "ecpp.std-header": "kernel-visible headers include only kdrv headers, the SDK and "
    "stddef.h/stdint.h/stdbool.h/stdarg.h/stdatomic.h; no C++ library headers",
    "ecpp.include": "kernel-visible headers must not include user-only kdrv headers "
    "(sim/, gsl.hpp, testing.hpp, platform/posix*.hpp)",
    "ecpp.tls": "no thread_local",
    "ecpp.guard-variable": "no function-local static whose initializer calls a constructor or "
    "function that is not constexpr: that needs a guard variable (kernel-build.md 5 rule 2)",
    "ecpp.dynamic-init": "no namespace-scope, static-member or inline variable whose initializer "
    "calls a constructor or function that is not constexpr (kernel-build.md 5 rule 1)",
    "ecpp.static-destructor": "no object of static storage duration with a user-declared "
    "destructor (kernel-build.md 5 rule 3)",
    "ecpp.floating-point": "no float/double outside the FP allow-list KDRV_GATE_FP_HEADERS in "
    "tests/kernel/CMakeLists.txt",
    "ecpp.parse": "the header must parse in the kernel configuration for the EC++ check",
    "gate.not-built": "gate results missing: build target kdrv_kernel_gate (default build)",
    "atomic.instruction": "an atomic read-modify-write must be one locked instruction (or an "
    "exclusive-monitor loop on baseline ARMv8), never a call",
}

ALLOWED_C_HEADERS = {"stddef.h", "stdint.h", "stdbool.h", "stdarg.h", "stdatomic.h"}

# Kernel exports any object may reference (kernel-build.md 2.1, 4.3), as
# C/Itanium names without Mach-O's extra leading underscore.
KERNEL_EXPORTS = {
    "_Znwm", "_Znam", "_ZdlPv", "_ZdlPvm", "_ZdaPv", "_ZdaPvm",
    "__cxa_pure_virtual",
    "memcpy", "memmove", "memset", "memcmp", "bzero", "strlen",
    "__stack_chk_fail", "__stack_chk_guard",
}

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


def rel(path, root):
    try:
        real = os.path.realpath(path)
        r = os.path.relpath(real, root)
        return path if r.startswith("..") else r
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
def kpi_names(sdk_dir):
    """C function names declared by the stand-in SDK headers (the KPIs kdrv uses)."""
    names = set()
    for dirpath, _, files in os.walk(sdk_dir):
        for fn in files:
            if not fn.endswith(".h"):
                continue
            with open(os.path.join(dirpath, fn), errors="replace") as f:
                text = f.read()
            text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
            text = re.sub(r"//[^\n]*", " ", text)
            text = re.sub(r"^\s*#(?:[^\n]*\\\n)*[^\n]*", " ", text, flags=re.M)
            text = text.replace('extern "C"', " ")
            text = re.sub(r"__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)", " ", text)
            for chunk in re.split(r"[;{}]", text):
                chunk = chunk.strip()
                if not chunk or re.match(r"(?:typedef|struct|union|enum|class|namespace|using)\b", chunk):
                    continue
                m = re.match(r"(?:[A-Za-z_][\w]*[\s\*&]+)+([A-Za-z_]\w*)\s*\(", chunk)
                if m and m.group(1) not in ("sizeof", "__typeof__", "decltype"):
                    names.add(m.group(1))
    return names


def object_format(path):
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic == b"\x7fELF":
        return "elf"
    if magic in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xfe\xed\xfa\xce"):
        return "macho"
    return "unknown"


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


def check_object(fmt, symbols, sections, allowed):
    findings = []
    for name, typ in symbols:
        plain = name[1:] if fmt == "macho" and name.startswith("_") else name
        undefined = typ in ("U", "w", "v")  # lower-case weak = undefined weak
        rule = None
        for r, rx in FORBIDDEN_SYMBOLS:
            if rx.search(plain):
                rule = r
                break
        if rule:
            findings.append((rule, "%s symbol %s" % ("undefined" if undefined else "defined", name)))
        elif undefined and plain not in allowed:
            findings.append(("sym.not-exported", "undefined symbol %s is not exported by the kernel "
                             "nor declared in sdk/include" % name))
    table = MACHO_SECTIONS if fmt == "macho" else ELF_SECTIONS
    for sec in sections:
        for r, rx in table:
            if rx.search(sec):
                findings.append((r, "section %s" % sec))
                break
    return findings


def check_objects(args, jobs):
    """[(job, where, rule, detail)] over the objects of successful compiles."""
    allowed = KERNEL_EXPORTS | kpi_names(os.path.join(args.root, "sdk", "include"))
    objs = [j["obj"] for j in jobs if j["obj"] and os.path.exists(j["obj"])]
    syms = nm_symbols(args.nm, objs)
    secs = objdump_sections(args.objdump, objs)
    out = []
    for job in jobs:
        o = job["obj"]
        if o not in syms:
            continue
        for rule, detail in check_object(object_format(o), syms[o], secs[o], allowed):
            out.append((job, job["subject"], rule, detail))
    return out


def cmd_symbols(args):
    jobs = [j for j in read_manifest(args.manifest) if j["group"] in args.group and j["obj"]]
    built = [j for j in jobs if read_status(j)[0] == "OK"]
    findings = check_objects(args, built)
    for job, where, rule, detail in findings:
        fail(where, rule, "profile %s: %s" % (job["profile"], detail))
    print("kdrv-gate: symbols/sections of %d objects (%d of %d compiled; compile failures are "
          "reported by the kext/elf tests): %d findings"
          % (len(built), len(built), len(jobs), len(findings)))
    return 1 if findings else 0


# ---------------------------------------------------------------------------
# Embedded C++ check.
def is_kernel_visible(name):
    """name relative to include/, e.g. kdrv/base.hpp. Same rule as CMakeLists.txt."""
    return not (name.startswith("kdrv/sim/") or name in ("kdrv/gsl.hpp", "kdrv/testing.hpp")
                or re.match(r"kdrv/platform/posix(?:_\w+)?\.hpp$", name))


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


def ecpp_flags(root):
    return ["-x", "c++", "-std=gnu++17", "-DKERNEL", "-I", os.path.join(root, "include"),
            "-isystem", os.path.join(root, "sdk", "include")]


def include_line(header, name):
    try:
        with open(header, errors="replace") as f:
            for n, line in enumerate(f, 1):
                if re.match(r"\s*#\s*include\s*[<\"]([^>\"]*/)?%s[>\"]" % re.escape(name), line):
                    return n
    except OSError:
        pass
    return None


def include_graph_findings(root, clangxx, header, visible):
    """Direct includes made by kernel-visible headers, from clang -H."""
    p = run([clangxx] + ecpp_flags(root) + ["-E", "-H", "-o", os.devnull, "-"],
            input='#include "%s"\n' % header)
    findings = []
    stack = []  # stack[d-1] = file at depth d
    sdk = os.path.realpath(os.path.join(root, "sdk", "include")) + os.sep
    kdrv_dir = os.path.realpath(os.path.join(root, "include", "kdrv")) + os.sep
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
                if path not in visible:
                    findings.append((includer, include_line(includer, name), "ecpp.include",
                                     "includes user-only header %s" % rel(path, root)))
            elif path.startswith(sdk):
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


def ecpp_findings(root, clangxx, clang_query, visible, fp_exempt):
    findings = []
    with ThreadPoolExecutor(workers()) as pool:
        for res in pool.map(lambda h: include_graph_findings(root, clangxx, h, visible), sorted(visible)):
            findings.extend(res)

    with tempfile.TemporaryDirectory() as tmp:
        tu = os.path.join(tmp, "ecpp_all.cpp")
        with open(tu, "w") as f:
            for h in sorted(visible):
                f.write('#include "%s"\n' % h)
        matchers = os.path.join(tmp, "matchers.txt")
        with open(matchers, "w") as f:
            f.write(CLANG_QUERY_MATCHERS)
        p = run([clang_query, "-f", matchers, tu, "--"] + ecpp_flags(root)
                + ["-fexceptions", "-fcxx-exceptions", "-frtti", "-Wno-everything"])
    text = p.stdout + "\n" + p.stderr
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
    for opt in ("O0", "O2"):
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
    named = [l for l in lines if name in l[0] and l[1] == args.rule]
    if named:
        print("kdrv-gate: negative test passed: %s fails the %s check with rule %s"
              % (name, args.check, args.rule))
        return 0
    print("kdrv-gate: negative test FAILED: expected the %s check to report rule %s naming %s; "
          "got %s" % (args.check, args.rule, name, [(w, r) for w, r, _ in lines] or "no failure"))
    return 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", required=True, help="kdrv source tree")
    ap.add_argument("--manifest")
    ap.add_argument("--nm", default="llvm-nm")
    ap.add_argument("--objdump", default="llvm-objdump")
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

    p = sub.add_parser("atomic")
    p.add_argument("--clangxx", required=True)
    p.add_argument("--gxx", required=True)
    p.add_argument("--profiles", required=True)
    p.add_argument("--source", required=True)
    p.add_argument("--work", required=True)
    p.set_defaults(func=cmd_atomic)

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
    p.set_defaults(func=cmd_expect_fail)

    args = ap.parse_args()
    args.root = os.path.realpath(args.root)
    sys.stdout.reconfigure(line_buffering=True)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
