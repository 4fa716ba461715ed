"""Meltano definitions of the plugins, generated: the extractor from `tap-braze-sends --about`,
the loaders from meltano.yml.

    python scripts/plugin_defs.py            # rewrite the Hub files and meltano.yml's block
    python scripts/plugin_defs.py --check    # exit 1 if any is stale

Settings are declared once, in the tap (tap_braze_sends/config_schema.py); the Meltano Hub
definition (plugins/extractors/tap-braze-sends--tap-braze-sends.yml) and the extractor's
`settings:` block in meltano.yml are derived from its `--about`, and
tests/cli/test_hub_definition.py fails when they drift.
The loaders' Hub-format files (plugins/loaders/) are meltano.yml's pinned loader definitions, so
that another Meltano project can `meltano add --from-ref` the versions this project tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tap_braze_sends.setting_spec import MELTANO_KIND

ROOT = Path(__file__).resolve().parent.parent
TAP = Path(sys.executable).with_name("tap-braze-sends")
VARIANT = "tap-braze-sends"
HUB_FILE = ROOT / "plugins" / "extractors" / f"tap-braze-sends--{VARIANT}.yml"
MELTANO_YML = ROOT / "meltano.yml"
BLOCK_START = "    # --- generated: python scripts/plugin_defs.py ---\n"
BLOCK_END = "    # --- end generated ---\n"

# Where the source lives. The variant names the maintainer, as on the Hub. The package is
# installed from the repository (a VCS URL): it is not published to PyPI.
REPO = "https://github.com/tap-braze-sends/tap-braze-sends"
PIP_URL = f"git+{REPO}.git"
# The loaders another project can add from this repository (meltano.yml's definitions).
EXPORTED_LOADERS = ("target-postgres", "target-jsonl", "target-snowflake")
LOADERS_DIR = ROOT / "plugins" / "loaders"
# A loader wrapper of this repository, as meltano.yml installs it (editable, by path).
LOCAL_LOADER_PREFIX = "./loaders/"


def about() -> dict[str, Any]:
    """The tap's own description of itself, as a user's `--about` shows it."""
    proc = subprocess.run(
        [str(TAP), "--about", "--format=json"], capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout)


def settings(about_json: dict[str, Any]) -> list[dict[str, Any]]:
    """One Meltano setting per top-level property of the tap's config schema, in its order."""
    out = []
    for name, prop in about_json["settings"]["properties"].items():
        setting: dict[str, Any] = {"name": name, "label": prop.get("title", name)}
        setting["kind"] = MELTANO_KIND
        if prop.get("secret"):
            setting["sensitive"] = True
        if prop.get("default") is not None:
            setting["value"] = prop["default"]
        if prop.get("description"):
            setting["description"] = prop["description"]
        out.append(setting)
    return out


def required_groups(about_json: dict[str, Any]) -> list[list[str]]:
    return [list(about_json["settings"].get("required", []))]


def hub_definition(about_json: dict[str, Any]) -> dict[str, Any]:
    """The extractor in the Meltano Hub's format (_data/meltano/extractors/<name>/<variant>.yml)."""
    return {
        "name": about_json["name"],
        "variant": VARIANT,
        "label": "Braze analytics",
        "description": about_json["description"],
        "logo_url": "/assets/logos/extractors/braze.png",
        "domain_url": "https://www.braze.com/",
        "repo": REPO,
        "pip_url": PIP_URL,
        "namespace": about_json["name"].replace("-", "_"),
        "executable": about_json["name"],
        "keywords": ["api", "meltano_sdk", "braze", "marketing", "analytics"],
        "maintenance_status": "active",
        "quality": "silver",
        "capabilities": list(about_json["capabilities"]),
        "settings_group_validation": required_groups(about_json),
        "settings": settings(about_json),
        "settings_preamble": "",
        "usage": (
            "Say what to extract: `all_campaigns` and `all_canvases` discover every campaign and"
            " Canvas (or list them in `campaign_ids` and `canvas_ids`); API-campaign sends, which"
            " no endpoint lists, go in `sends` or `sends_file`. Select every stream (`*.*`) to"
            " load the catalogue streams too (campaigns, Canvases, their variations, variants and"
            " steps), whose names join the analytics tables. Each run re-reads `lookback_days`"
            " days before the last bookmark, because Braze restates recent days; load with a"
            " target that upserts on the primary key. The workspace series (segments, KPIs,"
            " sessions, custom events, purchases) need only `start_date`; `app_ids`,"
            " `segment_ids`/`all_segments`, `event_names`/`all_events` and `products`/"
            "`all_products` break them down further."
        ),
        "next_steps": "",
    }


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, width=100_000, allow_unicode=True)


def render_hub(about_json: dict[str, Any]) -> str:
    header = (
        "# Meltano Hub definition of the extractor. Generated by scripts/plugin_defs.py from\n"
        "# `tap-braze-sends --about --format=json`; do not edit by hand.\n"
    )
    return header + _dump(hub_definition(about_json))


def render_meltano_block(about_json: dict[str, Any]) -> str:
    lines = _dump(settings(about_json)).splitlines(keepends=True)
    return BLOCK_START + "".join("    " + line for line in lines) + BLOCK_END


def with_meltano_block(meltano_yml: str, block: str) -> str:
    start = meltano_yml.index(BLOCK_START)
    end = meltano_yml.index(BLOCK_END) + len(BLOCK_END)
    return meltano_yml[:start] + block + meltano_yml[end:]


def loader_hub_file(name: str) -> Path:
    (loader,) = _meltano_loaders(name)
    return LOADERS_DIR / f"{name}--{loader['variant']}.yml"


def _meltano_loaders(name: str) -> list[dict[str, Any]]:
    project = yaml.safe_load(MELTANO_YML.read_text())
    return [p for p in project["plugins"]["loaders"] if p["name"] == name]


def published_pip_url(pip_url: str) -> str:
    """A loader's pip_url for another project: this repository's `-e ./loaders/<wrapper>`
    becomes the wrapper's directory in the repository (a VCS URL)."""
    words = pip_url.split()
    out = []
    while words:
        word = words.pop(0)
        if word == "-e" and words and words[0].startswith(LOCAL_LOADER_PREFIX):
            subdirectory = words.pop(0).removeprefix("./")
            out.append(f"{PIP_URL}#subdirectory={subdirectory}")
        else:
            out.append(word)
    return " ".join(out)


def render_loader_hub(name: str) -> str:
    """A loader of meltano.yml in the Hub's format: its definition without this project's
    `config` (another project configures it itself), installable from anywhere."""
    (loader,) = _meltano_loaders(name)
    definition = {key: value for key, value in loader.items() if key != "config"}
    definition["pip_url"] = published_pip_url(definition["pip_url"])
    header = (
        f"# {name} as this project pins and tests it (meltano.yml), for `meltano add\n"
        "# --from-ref`. Generated by scripts/plugin_defs.py; do not edit by hand.\n"
    )
    return header + _dump(definition)


def wanted_files() -> dict[Path, str]:
    about_json = about()
    wanted = {
        HUB_FILE: render_hub(about_json),
        MELTANO_YML: with_meltano_block(MELTANO_YML.read_text(), render_meltano_block(about_json)),
    }
    for name in EXPORTED_LOADERS:
        wanted[loader_hub_file(name)] = render_loader_hub(name)
    return wanted


def main(argv: list[str]) -> int:
    wanted = wanted_files()
    stale = [p for p, text in wanted.items() if not p.exists() or p.read_text() != text]
    if "--check" in argv:
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)} (run: python scripts/plugin_defs.py)")
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(wanted[path])
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
