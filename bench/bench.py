#!/usr/bin/env python3
"""Benchmark harness for impress (see bench/README.md).

Measures, per corpus size: a full build into an empty folder, a no-op rebuild, an I/O
floor (read every source file + `cp -r` of the output), Hugo on the same reports when
it is installed, and the writer's loop under `impress watch` (body edit and tag change
latency, from an atomic save to the page on disk). It reports; it asserts nothing.

Python 3.11, standard library only.
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import json
import os
import platform
import queue
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GEN_CORPUS = REPO.parent / "shared" / "bench" / "gen_corpus.py"

LOOP_EDITS = 20  # edits of each kind in the writer's loop
LOOP_GAP = 0.3  # seconds of quiet after a rebuild before the next edit
POLL = 0.001  # seconds between reads of the page being waited for


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Processes, timings, RSS
# --------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    rss_kib: int  # ru_maxrss of the child (KiB on Linux)
    code: int
    cpu: float = 0.0  # user + system seconds of the child


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM it when the harness dies, even by SIGKILL,
    so that no `impress watch` outlives a killed benchmark."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def settle() -> None:
    """Flushes dirty pages (the last build's, or a deletion's) so that they are not
    written back during, and charged to, the next measurement."""
    os.sync()


def run_measured(cmd: list[str], log_path: Path, cwd: Path | None = None) -> Run:
    """Runs cmd to completion; wall time and the child's peak RSS from wait4."""
    settle()
    with open(log_path, "ab") as lf:
        lf.write(f"$ {' '.join(cmd)}\n".encode())
        lf.flush()
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=lf, stderr=lf, cwd=cwd,
                             preexec_fn=_die_with_parent)
        try:
            _, status, ru = os.wait4(p.pid, 0)
        except BaseException:  # Ctrl+C or SIGTERM: do not leave the child running
            p.kill()
            p.wait()
            raise
        t1 = time.perf_counter()
    code = os.waitstatus_to_exitcode(status)
    p.returncode = code  # reaped by wait4: keep Popen from waiting again
    return Run(t1 - t0, ru.ru_maxrss, code, ru.ru_utime + ru.ru_stime)


def fresh_dir(path: Path, trash: "Trash | None" = None) -> None:
    if trash is not None:
        trash.discard(path)
    else:
        rmtree(path)
    path.mkdir(parents=True)


# An ext4 file system without a journal (as on the development machines) will not hand
# out an inode freed in the last 60 s (ialloc.c, recently_deleted(); 360 s while the
# inode table block is not yet written back): it skips each such inode one by one, so
# creating tens of thousands of files right after deleting tens of thousands makes every
# creation scan the freed inodes, and a timed step pays for the previous step's
# deletion, more so each run. Deletions are therefore synced and left to age.
RECENT_DELETE_S = 61.0


class Trash:
    """Outputs to delete, set aside (renamed, instantly) and deleted only between corpus
    sizes, followed by a pause of RECENT_DELETE_S, so that no timed step creates its
    files among freshly freed inodes. When the disk cannot hold a size's outputs until
    then, each output is deleted at once and the next timed step waits out the pause."""

    def __init__(self, root: Path):
        self.root = root
        self.count = 0
        self.deferred = True
        self.last_delete = 0.0
        if root.exists():
            rmtree(root)
            os.sync()
            self.last_delete = time.monotonic()

    def discard(self, path: Path) -> None:
        if not (path.exists() or path.is_symlink()):
            return
        if self.deferred:
            self.root.mkdir(parents=True, exist_ok=True)
            self.count += 1
            path.rename(self.root / f"{self.count}-{path.name}")
        else:
            rmtree(path)
            os.sync()
            self.last_delete = time.monotonic()

    def empty(self) -> None:
        if self.root.exists():
            rmtree(self.root)
            os.sync()
            self.last_delete = time.monotonic()

    def wait(self) -> None:
        """Before a timed step: let the inodes freed by the last deletion age."""
        left = self.last_delete + RECENT_DELETE_S - time.monotonic()
        if self.last_delete and left > 0:
            log(f"waiting {left:.0f} s for freed inodes to age (see Trash)")
            time.sleep(left)


def rmtree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def count_files(root: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(root))


def read_all(root: Path) -> int:
    """Reads every byte of every file under root; returns the byte count."""
    total = 0
    for dirpath, _, files in os.walk(root):
        for name in files:
            with open(os.path.join(dirpath, name), "rb", buffering=0) as f:
                while True:
                    chunk = f.read(1 << 20)
                    if not chunk:
                        break
                    total += len(chunk)
    return total


@dataclass
class Stat:
    values: list[float] = field(default_factory=list)

    def add(self, v: float) -> None:
        self.values.append(v)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def fmt_s(self) -> str:
        if not self.values:
            return "n/a"
        return f"{self.median:.3f} s ({min(self.values):.3f}–{max(self.values):.3f})"


# --------------------------------------------------------------------------
# Machine and commit
# --------------------------------------------------------------------------


def machine_lines() -> list[str]:
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count() or 0
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    if git("status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    return [
        f"- machine: {nproc} CPUs (nproc), {model}, {mem} memory; {platform.system()} {platform.release()}",
        f"- commit: {commit}",
        f"- at start: {busy()}",
    ]


def busy() -> str:
    """Load average and pressure stall (share of the last minute some task waited)."""
    text = "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    for what in ("cpu", "io"):
        try:
            line = Path(f"/proc/pressure/{what}").read_text().splitlines()[0]
            avg60 = dict(kv.split("=") for kv in line.split()[1:])["avg60"]
            text += f", {what} pressure {float(avg60):.0f}%"
        except (OSError, KeyError, ValueError, IndexError):
            pass
    return text


def git(*args: str) -> str:
    try:
        r = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True)
        return r.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


# --------------------------------------------------------------------------
# Corpora
# --------------------------------------------------------------------------


def corpus(work: Path, flavor: str, n: int, seed: int) -> Path:
    """The cached corpus, generated when missing or made by another gen_corpus.py."""
    root = work / "corpus"
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"{flavor}-{n}-s{seed}"
    stamp = root / f"{flavor}-{n}-s{seed}.json"
    gen_hash = hashlib.sha256(GEN_CORPUS.read_bytes()).hexdigest()
    if path.is_dir() and stamp.is_file():
        try:
            if json.loads(stamp.read_text()).get("gen_corpus_sha256") == gen_hash:
                return path
        except (OSError, ValueError):
            pass
        log(f"{path.name}: made by another gen_corpus.py, regenerating")
    rmtree(path)
    stamp.unlink(missing_ok=True)
    tmp = root / f".{path.name}.tmp-{os.getpid()}"
    rmtree(tmp)
    log(f"generating {flavor} corpus of {n} reports (seed {seed}) into {path}")
    t0 = time.perf_counter()
    r = subprocess.run(
        [sys.executable, str(GEN_CORPUS), "--reports", str(n), "--out", str(tmp),
         "--seed", str(seed), "--flavor", flavor],
        capture_output=True, text=True)
    if r.returncode != 0:
        rmtree(tmp)
        raise SystemExit(f"gen_corpus.py failed:\n{r.stdout}{r.stderr}")
    tmp.rename(path)
    stamp.write_text(json.dumps({"gen_corpus_sha256": gen_hash, "stats": r.stdout.strip()}) + "\n")
    log(f"  {r.stdout.strip()} ({time.perf_counter() - t0:.1f} s)")
    return path


# --------------------------------------------------------------------------
# impress, floor, Hugo
# --------------------------------------------------------------------------


def build_impress() -> Path:
    log("cargo build --release")
    r = subprocess.run(["cargo", "build", "--release"], cwd=REPO, stdout=sys.stderr)
    if r.returncode != 0:
        raise SystemExit("cargo build --release failed")
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    if not target.is_absolute():
        target = REPO / target
    binary = target / "release" / "impress"
    if not binary.is_file():
        raise SystemExit(f"no binary at {binary}")
    return binary


def find_hugo(install: bool) -> str | None:
    hugo = shutil.which("hugo")
    if hugo or not install:
        return hugo
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    log("apt-get install -y hugo")
    # apt's chatter goes to stderr: stdout is the Markdown report
    apt = dict(env=env, stdin=subprocess.DEVNULL, stdout=sys.stderr)
    if subprocess.run(sudo + ["apt-get", "install", "-y", "hugo"], **apt).returncode != 0:
        log("apt-get install failed; apt-get update, then again")
        subprocess.run(sudo + ["apt-get", "update"], **apt)
        subprocess.run(sudo + ["apt-get", "install", "-y", "hugo"], **apt)
    if not shutil.which("hugo"):
        log("hugo is still not on PATH; going on without it")
    return shutil.which("hugo")


def hugo_version(hugo: str) -> str:
    try:
        r = subprocess.run([hugo, "version"], capture_output=True, text=True, timeout=30)
        return r.stdout.strip() or r.stderr.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"


@dataclass
class SizeResult:
    n: int
    full: Stat = field(default_factory=Stat)
    full_rss: list[int] = field(default_factory=list)
    full_cpu: list[float] = field(default_factory=list)
    noop: Stat = field(default_factory=Stat)
    cat: Stat = field(default_factory=Stat)
    cp: Stat = field(default_factory=Stat)
    floor: Stat = field(default_factory=Stat)
    hugo: Stat = field(default_factory=Stat)
    hugo_rss: list[int] = field(default_factory=list)
    hugo_cpu: list[float] = field(default_factory=list)
    hugo_note: str = ""
    hugo_files: int = 0
    pages: int = 0
    source_bytes: int = 0
    output_bytes: int = 0
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    loop: "LoopResult | None" = None


def du_bytes(root: Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(root):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


def bench_size(args, binary: Path, hugo: str | None, n: int, trash: Trash) -> SizeResult:
    res = SizeResult(n)
    work: Path = args.work
    src = corpus(work, "impress", n, args.seed)
    hugo_src = corpus(work, "hugo", n, args.seed) if hugo else None
    outs = work / "out"
    outs.mkdir(parents=True, exist_ok=True)
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    out = outs / f"impress-{n}"
    cp_dest = outs / f"cp-{n}"
    hugo_out = outs / f"hugo-{n}"
    blog = logs / f"impress-build-{n}.log"
    hlog = logs / f"hugo-{n}.log"
    blog.write_bytes(b"")
    hlog.write_bytes(b"")

    # Untimed warm-up read, so that no run pays for a cold page cache alone.
    res.source_bytes = read_all(src / "content")
    if hugo_src:
        read_all(hugo_src)

    # Outputs of every run kept until this size is done, if the disk holds them (about
    # 10x the sources for impress, as much again for the copy, 6x for Hugo).
    need = res.source_bytes * 26 * args.runs
    trash.deferred = shutil.disk_usage(work).free > need * 1.2
    if not trash.deferred:
        res.notes.append(f"outputs deleted between steps (disk too small to keep "
                         f"{need / 1e9:.0f} GB of them), each timed step after a "
                         f"{RECENT_DELETE_S:.0f} s pause")
    trash.wait()

    cmd = [str(binary), "build", "--root", str(src), "--output", str(out)]
    for i in range(args.runs):
        log(f"{n} reports, run {i + 1}/{args.runs}")
        # (a) full build into a fresh, empty folder
        fresh_dir(out, trash)
        trash.wait()
        r = run_measured(cmd, blog)
        if r.code != 0:
            res.failures.append(f"impress build exited {r.code} (see {blog})")
            break
        res.full.add(r.seconds)
        res.full_rss.append(r.rss_kib)
        res.full_cpu.append(r.cpu)
        # (b) no-op rebuild: the same command, output already there
        r = run_measured(cmd, blog)
        if r.code != 0:
            res.failures.append(f"no-op rebuild exited {r.code} (see {blog})")
        else:
            res.noop.add(r.seconds)
        # I/O floor: read every source file + cp -r of the output
        settle()
        t0 = time.perf_counter()
        read_all(src / "content")
        t_cat = time.perf_counter() - t0
        trash.discard(cp_dest)
        trash.wait()
        r = run_measured(["cp", "-r", str(out), str(cp_dest)], blog)
        if r.code != 0:
            res.failures.append(f"cp -r exited {r.code}")
        res.cat.add(t_cat)
        res.cp.add(r.seconds)
        res.floor.add(t_cat + r.seconds)
        trash.discard(cp_dest)
        # Hugo on the same reports
        if hugo and hugo_src:
            fresh_dir(hugo_out, trash)
            trash.wait()
            r = run_measured([hugo, "--source", str(hugo_src), "--destination", str(hugo_out),
                              "--quiet"], hlog)
            if r.code != 0:
                res.hugo_note = f"hugo exited {r.code} (see {hlog})"
                hugo = None
            else:
                res.hugo.add(r.seconds)
                res.hugo_rss.append(r.rss_kib)
                res.hugo_cpu.append(r.cpu)
                res.hugo_files = count_files(hugo_out)
    if out.is_dir():
        res.pages = count_files(out)
        res.output_bytes = du_bytes(out)
    trash.discard(hugo_out)
    trash.empty()
    trash.wait()

    if not args.skip_loop and not res.failures:
        try:
            res.loop = writers_loop(binary, src, outs / f"watch-{n}", logs, n, work)
        except LoopError as e:
            res.failures.append(f"writer's loop: {e}")
    if not args.keep_output:
        rmtree(out)
    return res


# --------------------------------------------------------------------------
# The writer's loop
# --------------------------------------------------------------------------


class LoopError(Exception):
    pass


@dataclass
class LoopResult:
    report: str  # corpus-relative path of the edited report
    body_ms: list[float] = field(default_factory=list)
    tag_ms: list[float] = field(default_factory=list)
    body_said_ms: list[int] = field(default_factory=list)  # "in N ms" printed by impress
    tag_said_ms: list[int] = field(default_factory=list)
    body_timeouts: int = 0
    tag_timeouts: int = 0
    extra_rebuilds: int = 0
    first_build_s: float = 0.0
    watch_rss_kib: int = 0
    notes: list[str] = field(default_factory=list)


FRONT = re.compile(r"\A\+\+\+[ \t]*\r?\n(.*?)^\+\+\+[ \t]*\r?\n?", re.S | re.M)
TAGS_LINE = re.compile(r"^tags[ \t]*=[ \t]*\[(.*)\][ \t]*$", re.M)
CHANGED = re.compile(r"^changed .*: rebuilt (\d+) pages? \((\d+) written, (\d+) deleted\)(?:, copied \d+ static files?)? in (\d+) ms")


def slugify(text: str) -> str:
    """impress's slug of a term (routes.rs), for ASCII text."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join(w for w in re.split(r"[^a-z0-9]+", ascii_text) if w)


def escape_html(text: str) -> str:
    """impress's escaping of template text (cashtag.rs escape_html)."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


@dataclass
class Victim:
    path: Path
    text: str
    slug: str
    title: str


def pick_report(src: Path) -> Victim:
    """A published report with a body, from the middle of the corpus, deterministically."""
    content = src / "content"
    files = sorted(p for p in content.rglob("*.md")
                   if p.relative_to(content).parts[0] != "pages" and not p.name.startswith("."))
    if not files:
        raise LoopError(f"no report under {content}")
    today = time.strftime("%Y-%m-%d")
    mid = len(files) // 2
    for p in files[mid:] + files[:mid]:
        text = p.read_text(encoding="utf-8")
        m = FRONT.match(text)
        if not m:
            continue
        try:
            fm = tomllib.loads(m.group(1))
        except tomllib.TOMLDecodeError:
            continue
        if fm.get("draft") or not text[m.end():].strip():
            continue
        if str(fm.get("date", ""))[:10] > today:
            continue
        if not TAGS_LINE.search(m.group(1)):
            continue
        return Victim(p, text, fm.get("slug") or p.stem, fm["title"])
    raise LoopError("no published report with a body and a one-line tags list")


def atomic_write(path: Path, text: str) -> None:
    """An editor's save: a hidden temp file beside it, renamed over it."""
    tmp = path.with_name(f".{path.name}.bench-save")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def wait_for(path: Path, needle: bytes, timeout: float, present: bool = True) -> float | None:
    """perf_counter() when path's content first has (or lacks) needle; None on timeout."""
    deadline = time.perf_counter() + timeout
    while True:
        try:
            with open(path, "rb") as f:
                found = needle in f.read()
        except (FileNotFoundError, IsADirectoryError):
            found = False
        now = time.perf_counter()
        if found == present:
            return now
        if now > deadline:
            return None
        time.sleep(POLL)


class Watcher:
    """`impress watch`, with its stdout read line by line on a thread."""

    def __init__(self, binary: Path, src: Path, out: Path, log_path: Path):
        self.log = open(log_path, "w", encoding="utf-8")
        self.lines: queue.Queue[str] = queue.Queue()
        self.proc = subprocess.Popen(
            [str(binary), "watch", "--root", str(src), "--output", str(out)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.log,
            text=True, bufsize=1, start_new_session=True, preexec_fn=_die_with_parent)
        self.rusage = None
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.proc.stdout
        for line in self.proc.stdout:
            self.log.write(line)
            self.log.flush()
            self.lines.put(line.rstrip("\n"))
        self.lines.put("")  # EOF

    def next_line(self, timeout: float, prefix: str) -> str | None:
        """The next stdout line starting with prefix, skipping others; None on timeout/EOF."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                return None
            if line == "" and self.proc.poll() is not None:
                return None
            if line.startswith(prefix):
                return line

    def drain(self, prefix: str) -> list[str]:
        out = []
        while True:
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                return out
            if line.startswith(prefix):
                out.append(line)

    def stop(self) -> int:
        """SIGTERM, then SIGKILL; returns peak RSS in KiB (0 when unknown)."""
        if self.rusage is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + 5
            while True:
                pid, status, ru = os.wait4(self.proc.pid, os.WNOHANG)
                if pid:
                    self.proc.returncode = os.waitstatus_to_exitcode(status)
                    self.rusage = ru
                    break
                if time.monotonic() > deadline:
                    try:
                        os.killpg(self.proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    _, status, ru = os.wait4(self.proc.pid, 0)
                    self.proc.returncode = os.waitstatus_to_exitcode(status)
                    self.rusage = ru
                    break
                time.sleep(0.01)
            self.thread.join(timeout=5)
            self.log.close()
        return self.rusage.ru_maxrss if self.rusage else 0


RESTORE_FILE = "loop-restore.json"


def restore_leftover(work: Path) -> None:
    """Puts back a report that an interrupted writer's loop left edited."""
    state = work / RESTORE_FILE
    if not state.is_file():
        return
    try:
        saved = json.loads(state.read_text())
        path = Path(saved["path"])
        path.write_text(saved["text"], encoding="utf-8")
        path.with_name(f".{path.name}.bench-save").unlink(missing_ok=True)
        log(f"restored {saved['path']}, left edited by an interrupted run")
    except (OSError, ValueError, KeyError) as e:
        log(f"could not restore from {state}: {e}")
    state.unlink(missing_ok=True)


def writers_loop(binary: Path, src: Path, out: Path, logs: Path, n: int, work: Path) -> LoopResult:
    victim = pick_report(src)
    rel = victim.path.relative_to(src)
    res = LoopResult(str(rel))
    full_page = out / "reports" / victim.slug / "full" / "index.html"
    title_html = escape_html(victim.title).encode()
    timeout = max(30.0, n / 1000 * 5)  # per edit
    state = work / RESTORE_FILE
    state.write_text(json.dumps({"path": str(victim.path), "text": victim.text}))
    rmtree(out)
    log(f"{n} reports, writer's loop on {rel} (slug {victim.slug})")
    t0 = time.perf_counter()
    w = Watcher(binary, src, out, logs / f"watch-{n}.log")
    try:
        first = w.next_line(max(600.0, n / 1000 * 60), "built ")
        if first is None:
            raise LoopError(f"no 'built ' line from impress watch (see {logs / f'watch-{n}.log'})")
        res.first_build_s = time.perf_counter() - t0
        time.sleep(LOOP_GAP)
        w.drain("changed ")

        def one_edit(text: str, target: Path, needle: bytes) -> tuple[float | None, int | None]:
            atomic_write(victim.path, text)
            t_saved = time.perf_counter()
            t_seen = wait_for(target, needle, timeout)
            said = None
            line = w.next_line(timeout if t_seen else 2.0, "changed ")
            if line:
                m = CHANGED.match(line)
                said = int(m.group(4)) if m else None
            time.sleep(LOOP_GAP)
            res.extra_rebuilds += len(w.drain("changed "))
            return (None if t_seen is None else (t_seen - t_saved) * 1000.0), said

        text = victim.text
        body_end = "" if text.endswith("\n") else "\n"
        token = ""
        for i in range(LOOP_EDITS):
            token = f"benchtok{secrets.token_hex(6)}x{i}"
            edited = f"{text}{body_end}\nA paragraph the benchmark wrote: {token}.\n"
            ms, said = one_edit(edited, full_page, token.encode())
            if ms is None:
                res.body_timeouts += 1
            else:
                res.body_ms.append(ms)
            if said is not None:
                res.body_said_ms.append(said)
        # back to the original before the tag edits, so each of those is a tag change only
        atomic_write(victim.path, text)
        if wait_for(full_page, token.encode(), timeout, present=False) is None:
            res.notes.append("the full page kept the last body token after the restore")
        w.next_line(timeout, "changed ")
        time.sleep(LOOP_GAP)
        w.drain("changed ")

        fm = FRONT.match(text)
        assert fm
        tags_m = TAGS_LINE.search(text, fm.start(1), fm.end(1))
        assert tags_m
        for i in range(LOOP_EDITS):
            tag = f"Bench Tag {secrets.token_hex(6)} {i}"
            inner = tags_m.group(1).strip()
            new_inner = f'{inner}, "{tag}"' if inner else f'"{tag}"'
            edited = text[:tags_m.start()] + f"tags = [{new_inner}]" + text[tags_m.end():]
            page = out / "tags" / slugify(tag) / "index.html"
            ms, said = one_edit(edited, page, title_html)
            if ms is None:
                res.tag_timeouts += 1
            else:
                res.tag_ms.append(ms)
            if said is not None:
                res.tag_said_ms.append(said)
        atomic_write(victim.path, text)
        w.next_line(timeout, "changed ")
    finally:
        if victim.path.read_text(encoding="utf-8") != victim.text:
            victim.path.write_text(victim.text, encoding="utf-8")
        victim.path.with_name(f".{victim.path.name}.bench-save").unlink(missing_ok=True)
        state.unlink(missing_ok=True)
        res.watch_rss_kib = w.stop()
        rmtree(out)
    if res.extra_rebuilds:
        res.notes.append(f"{res.extra_rebuilds} rebuilds more than edits (an edit split in two)")
    return res


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def mib(kib: list[int] | int) -> str:
    if isinstance(kib, list):
        if not kib:
            return "n/a"
        kib = max(kib)
    return f"{kib / 1024:.0f}"


def ms_stats(vals: list[float]) -> tuple[str, str]:
    if not vals:
        return "n/a", "n/a"
    return f"{statistics.median(vals):.0f}", f"{max(vals):.0f}"


def tables(results: list[SizeResult], hugo: str | None, hugo_ver: str, header: list[str],
           args) -> str:
    out = ["# impress benchmark", "", *header]
    if hugo:
        out.append(f"- hugo: {hugo_ver}")
    elif args.skip_hugo:
        out.append("- hugo: skipped (--skip-hugo)")
    else:
        out.append("- hugo: not on PATH (`--install-hugo` runs `apt-get install -y hugo`)")
    out.append(f"- runs per measurement: {args.runs} (median, min–max); seed {args.seed}")
    out += ["", "## Builds", "",
            "| reports | impress full build | peak RSS MiB | no-op rebuild | floor (cat + cp) "
            "| ratio to floor | hugo | ratio to hugo | pages written |",
            "| ---: | --- | ---: | --- | --- | ---: | --- | ---: | ---: |"]
    for r in results:
        floor = "n/a"
        ratio = "n/a"
        if r.floor.values:
            floor = (f"{r.floor.median:.3f} s ({r.cat.median:.3f} + {r.cp.median:.3f})")
            if r.full.values and r.floor.median > 0:
                ratio = f"{r.full.median / r.floor.median:.1f}×"
        if r.hugo.values:
            hcell = f"{r.hugo.fmt_s()}, {mib(r.hugo_rss)} MiB"
            hratio = (f"{r.full.median / r.hugo.median:.2f}×" if r.full.values else "n/a")
        else:
            hcell = r.hugo_note or ("skipped" if args.skip_hugo else "hugo absent")
            hratio = "n/a"
        out.append(f"| {r.n} | {r.full.fmt_s()} | {mib(r.full_rss)} | {r.noop.fmt_s()} | {floor} "
                   f"| {ratio} | {hcell} | {hratio} | {r.pages} |")
    out += ["",
            "floor: read every byte of every file under the corpus's content/ (in-process) "
            "+ `cp -r` of impress's output folder. ratio to hugo: impress / hugo "
            "(below 1 means impress is faster)."]
    for r in results:
        extra = (f"- {r.n}: sources {r.source_bytes / 1e6:.1f} MB under content/, "
                 f"impress output {r.output_bytes / 1e6:.1f} MB in {r.pages} files")
        if r.full_cpu:
            extra += f"; impress full build CPU (user+sys) {statistics.median(r.full_cpu):.2f} s"
        if r.hugo_files:
            extra += (f"; hugo output {r.hugo_files} files, "
                      f"CPU (user+sys) {statistics.median(r.hugo_cpu):.2f} s")
        out.append(extra)
        for note in r.notes:
            out.append(f"- {r.n}: {note}")
        for f in r.failures:
            out.append(f"- {r.n}: FAILED: {f}")
    loops = [r for r in results if r.loop]
    if loops:
        out += ["", f"## Writer's loop (impress watch, {LOOP_EDITS} edits of each kind)", "",
                "| reports | body edit median ms | body edit max ms | tag change median ms "
                "| tag change max ms | impress's own rebuild ms (body / tag, median) "
                "| watch peak RSS MiB |",
                "| ---: | ---: | ---: | ---: | ---: | --- | ---: |"]
        for r in loops:
            lp = r.loop
            bm, bx = ms_stats(lp.body_ms)
            tm, tx = ms_stats(lp.tag_ms)
            bs = f"{statistics.median(lp.body_said_ms):.0f}" if lp.body_said_ms else "n/a"
            ts = f"{statistics.median(lp.tag_said_ms):.0f}" if lp.tag_said_ms else "n/a"
            out.append(f"| {r.n} | {bm} | {bx} | {tm} | {tx} | {bs} / {ts} | {mib(lp.watch_rss_kib)} |")
        out += ["",
                "From the atomic save (temp file + rename) until the page on disk shows the "
                "change: the report's full-analysis page for a body edit, the new tag's page "
                "listing the report for a tag change. Includes the watcher's 10 ms debounce."]
        for r in loops:
            lp = r.loop
            line = (f"- {r.n}: edited `{lp.report}`; first build under watch "
                    f"{lp.first_build_s:.2f} s")
            if lp.body_timeouts or lp.tag_timeouts:
                line += f"; timed out: {lp.body_timeouts} body, {lp.tag_timeouts} tag"
            out.append(line)
            for note in lp.notes:
                out.append(f"- {r.n}: {note}")
    elif args.skip_loop:
        out += ["", "Writer's loop: skipped (--skip-loop)."]
    out.append(f"- at end: {busy()}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip().lower()
        if not part:
            continue
        mult = 1
        if part.endswith("k"):
            mult, part = 1000, part[:-1]
        try:
            v = int(part) * mult
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a size: {part!r}")
        if v <= 0:
            raise argparse.ArgumentTypeError("sizes must be positive")
        sizes.append(v)
    return sizes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Benchmark impress: full build, no-op rebuild, I/O floor, Hugo, "
                    "and the writer's loop under `impress watch`. Reports; asserts nothing.")
    ap.add_argument("--sizes", type=parse_sizes, default=[1000, 10000], metavar="N,N",
                    help="corpus sizes in reports (default 1000,10000; 1k style accepted)")
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement (default 3)")
    ap.add_argument("--with-100k", action="store_true", help="add the 100000-report corpus (slow)")
    ap.add_argument("--skip-hugo", action="store_true", help="do not run Hugo")
    ap.add_argument("--skip-loop", action="store_true", help="do not measure the writer's loop")
    ap.add_argument("--work", type=Path, default=Path("/tmp/impress-bench"),
                    help="corpora cache, outputs and logs (default /tmp/impress-bench)")
    ap.add_argument("--out-md", type=Path, metavar="FILE", help="also write the tables here")
    ap.add_argument("--install-hugo", action="store_true",
                    help="if hugo is not on PATH, apt-get install -y hugo")
    ap.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
    ap.add_argument("--keep-output", action="store_true",
                    help="keep impress's last output folder under WORK/out")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    sizes = list(dict.fromkeys(args.sizes + ([100000] if args.with_100k else [])))
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    if not GEN_CORPUS.is_file():
        ap.error(f"no corpus generator at {GEN_CORPUS}")

    # SIGTERM/SIGHUP unwind like Ctrl+C, so the edited report is restored and the
    # watcher killed.
    def stop(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)

    restore_leftover(args.work)
    header = machine_lines()
    binary = build_impress()
    hugo = None if args.skip_hugo else find_hugo(args.install_hugo)
    hugo_ver = hugo_version(hugo) if hugo else ""
    results = []
    trash = Trash(args.work / "trash")
    try:
        for n in sizes:
            results.append(bench_size(args, binary, hugo, n, trash))
    finally:
        trash.deferred = False
        trash.empty()
    md = tables(results, hugo, hugo_ver, header, args)
    sys.stdout.write(md)
    if args.out_md:
        args.out_md.parent.mkdir(parents=True, exist_ok=True)
        args.out_md.write_text(md, encoding="utf-8")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt as e:
        log(f"interrupted ({e or 'Ctrl+C'}); the edited report was restored, the watcher stopped")
        sys.exit(130)
