"""Runs Databricks-source notebooks (`# Databricks notebook source`) on PySpark in local mode.

Several notebooks run one after another in one process and one SparkSession (starting Spark is
the slow part). A thin stand-in plays Databricks' globals:

- `dbutils.widgets`: text/dropdown/combobox/multiselect with their defaults, overridden by
  `--widget name=value` (every notebook) or the environment variable `DATABRICKS_WIDGET_<NAME>`;
- `dbutils.secrets.get(scope, key)`: the environment variable `DATABRICKS_SECRET_<SCOPE>_<KEY>`
  (upper case, other characters as `_`); a missing one is an error naming that variable;
- `dbutils.fs.ls/mkdirs/rm/head` on local (`file:` or plain) paths; `dbutils.notebook.exit`;
- `display(df)` prints a few rows (`--display-rows`, 0 skips them), `displayHTML` prints a note;
- `# MAGIC %run ./other` runs another notebook's cells in the same globals; `%md` cells narrate.

Usage:
  python run_notebook.py NOTEBOOK.py [NOTEBOOK.py …] [--widget k=v …] [--jars a.jar,b.jar]
                         [--display-rows N] [--summary FILE] [--master local[2]]

Exit code 0 when every notebook ran; 1 with a line naming the notebook and cell otherwise.
"""

import argparse
import json
import os
import re
import shutil
import sys
import time
import traceback
from collections import namedtuple

HEADER = "# Databricks notebook source"
SEPARATOR = re.compile(r"^# COMMAND -+\s*$", re.M)


class NotebookExit(Exception):
    """dbutils.notebook.exit(value)."""


def parse_cells(path):
    """The notebook's cells as (kind, text): kind is 'python', 'md', 'run' or another magic."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if not text.startswith(HEADER):
        raise SystemExit(f"error: {path} is not a Databricks source notebook (no '{HEADER}' line)")
    cells = []
    for chunk in SEPARATOR.split(text[len(HEADER):]):
        lines = chunk.strip("\n").split("\n")
        if not any(line.strip() for line in lines):
            continue
        if all(line.startswith("# MAGIC") for line in lines if line.strip()):
            body = "\n".join(re.sub(r"^# MAGIC ?", "", line) for line in lines)
            magic = body.lstrip().split(None, 1)[0]
            rest = body.lstrip()[len(magic):].strip()
            cells.append((magic.lstrip("%"), rest))
        else:
            cells.append(("python", "\n".join(lines)))
    return cells


def local_path(path):
    return path[len("file:"):].replace("///", "/", 1) if path.startswith("file:") else path


class Widgets:
    def __init__(self, overrides):
        self._overrides = overrides
        self._values = {}

    def _define(self, name, default, choices=None):
        env = os.environ.get("DATABRICKS_WIDGET_" + re.sub(r"[^A-Za-z0-9]", "_", name).upper())
        value = self._overrides.get(name, env if env is not None else default)
        if choices is not None and value not in choices:
            raise ValueError(f"Widget {name} must be one of {', '.join(choices)}, got '{value}'")
        self._values[name] = value

    def text(self, name, defaultValue="", label=None):
        self._define(name, defaultValue)

    def dropdown(self, name, defaultValue, choices, label=None):
        self._define(name, defaultValue, list(choices))

    def combobox(self, name, defaultValue, choices, label=None):
        self._define(name, defaultValue)

    def multiselect(self, name, defaultValue, choices, label=None):
        self._define(name, defaultValue)

    def get(self, name):
        if name not in self._values:
            raise ValueError(f"No widget named {name} is defined")
        return self._values[name]

    def getArgument(self, name, default=None):
        return self._values.get(name, default)

    def remove(self, name):
        self._values.pop(name, None)

    def removeAll(self):
        self._values.clear()


class Secrets:
    @staticmethod
    def variable(scope, key):
        return "DATABRICKS_SECRET_" + re.sub(r"[^A-Za-z0-9]", "_", f"{scope}_{key}").upper()

    def get(self, scope, key):
        name = self.variable(scope, key)
        value = os.environ.get(name)
        if value is None:
            raise KeyError(f"Secret {scope}/{key} is not set: export {name}")
        return value

    def list(self, scope):
        prefix = self.variable(scope, "")
        return [k[len(prefix):].lower() for k in os.environ if k.startswith(prefix)]


FileInfo = namedtuple("FileInfo", ["path", "name", "size", "modificationTime"])


class Fs:
    def ls(self, path):
        root = local_path(path)
        out = []
        for name in sorted(os.listdir(root)):
            full = os.path.join(root, name)
            is_dir = os.path.isdir(full)
            stat = os.stat(full)
            out.append(FileInfo("file:" + full + ("/" if is_dir else ""), name + ("/" if is_dir else ""),
                                0 if is_dir else stat.st_size, int(stat.st_mtime * 1000)))
        return out

    def mkdirs(self, path):
        os.makedirs(local_path(path), exist_ok=True)
        return True

    def rm(self, path, recurse=False):
        target = local_path(path)
        if os.path.isdir(target):
            if not recurse:
                raise IsADirectoryError(f"{path} is a folder: pass recurse=True")
            shutil.rmtree(target)
        elif os.path.exists(target):
            os.remove(target)
        return True

    def head(self, path, maxBytes=65536):
        with open(local_path(path), encoding="utf-8", errors="replace") as f:
            return f.read(maxBytes)


class Notebook:
    def exit(self, value=""):
        raise NotebookExit(value)


class DBUtils:
    def __init__(self, overrides):
        self.widgets = Widgets(overrides)
        self.secrets = Secrets()
        self.fs = Fs()
        self.notebook = Notebook()


def make_display(rows):
    def display(obj, *args, **kwargs):
        from pyspark.sql import DataFrame

        if isinstance(obj, DataFrame):
            if obj.isStreaming:
                print("(a streaming DataFrame: display() draws it live on Databricks; not here)")
            elif rows > 0:
                obj.show(rows, truncate=48)
        elif rows > 0:
            print(obj)

    return display


def start_spark(master, jars):
    submit = ["--driver-memory", os.environ.get("SPARK_DRIVER_MEMORY", "2g")]
    if jars:
        submit += ["--jars", jars]
    os.environ["PYSPARK_SUBMIT_ARGS"] = " ".join(submit + ["pyspark-shell"])
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(master)
        .appName("ecom-stream databricks notebooks")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def run_cells(path, scope, verbose):
    name = os.path.basename(path)
    for index, (kind, text) in enumerate(parse_cells(path), start=1):
        if kind == "python":
            code = compile(text, f"{name} [cell {index}]", "exec")
            exec(code, scope)
        elif kind == "md":
            if verbose:
                heading = next((l for l in text.split("\n") if l.startswith("#")), "")
                if heading:
                    print(f"\n{heading}")
        elif kind == "run":
            target = text.split()[0]
            target = os.path.normpath(os.path.join(os.path.dirname(path), target))
            run_cells(target if target.endswith(".py") else target + ".py", scope, verbose)
        else:
            raise ValueError(f"{name} cell {index}: the %{kind} magic is not supported locally")


def main():
    parser = argparse.ArgumentParser(description="Run Databricks notebooks on local PySpark")
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--widget", action="append", default=[], help="name=value")
    parser.add_argument("--jars", default="")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--display-rows", type=int, default=5)
    parser.add_argument("--summary", default="")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    overrides = {}
    for item in args.widget:
        name, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"error: --widget needs name=value, got '{item}'")
        overrides[name] = value

    started = time.time()
    spark = start_spark(args.master, args.jars)
    startup = time.time() - started
    results = []
    code = 0
    for path in args.notebooks:
        name = os.path.basename(path)
        dbutils = DBUtils(overrides)
        scope = {
            "__name__": "__main__",
            "spark": spark,
            "sc": spark.sparkContext,
            "dbutils": dbutils,
            "display": make_display(args.display_rows),
            "displayHTML": lambda html: print("(HTML output: shown on Databricks)"),
        }
        print(f"=== {name}", flush=True)
        t0 = time.time()
        try:
            run_cells(path, scope, args.verbose)
        except NotebookExit as done:
            print(f"{name} exited: {done}")
        except Exception as error:  # noqa: BLE001 - report any failure as one line
            frames = [f for f in traceback.extract_tb(error.__traceback__) if "[cell" in f.filename]
            where = f"{frames[-1].filename} line {frames[-1].lineno}" if frames else name
            message = str(error).strip().split("\n")[0]
            print(f"error: {where}: {type(error).__name__}: {message}", file=sys.stderr)
            if os.environ.get("DEBUG"):
                traceback.print_exc()
            code = 1
        results.append({"notebook": name, "seconds": round(time.time() - t0, 3), "ok": code == 0})
        if code:
            break
    if args.summary:
        with open(args.summary, "w", encoding="utf-8") as f:
            json.dump({"startup_seconds": round(startup, 3), "notebooks": results}, f)
    spark.stop()
    return code


if __name__ == "__main__":
    sys.exit(main())
