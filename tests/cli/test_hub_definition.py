"""The Meltano definitions of the extractor cannot drift from the tap.

`tap-braze-sends --about --format=json` is the one declaration of the settings. The Meltano Hub
file (plugins/extractors/) and meltano.yml's extractor are checked against it here: every
setting present with its kind, label and description, none extra, the capabilities equal.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import TAP

from tap_braze_sends.config_schema import SPECS

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import meltano_env  # noqa: E402  (scripts/ is not a package)
import plugin_defs  # noqa: E402

HUB_REQUIRED = (
    "name",
    "variant",
    "label",
    "description",
    "namespace",
    "pip_url",
    "repo",
    "executable",
    "capabilities",
    "settings",
    "settings_group_validation",
    "keywords",
    "maintenance_status",
    "domain_url",
    "logo_url",
)
# Every setting is text to Meltano, whatever its JSON type: Meltano 4.4 casts a variable by
# its setting's kind before the tap sees it, with a traceback of its own where the cast fails
# (integer "1e3", array "A,B") and a silent rewrite where it "succeeds" (date 2026-13-01 ->
# 2026-01-13, boolean "maybe" -> false); as text, the tap reads and checks every value itself.
# Written out here, independently of scripts/plugin_defs.py.
MELTANO_KIND = "string"


@pytest.fixture(scope="module")
def about() -> dict[str, Any]:
    proc = subprocess.run(
        [TAP, "--about", "--format=json"], capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def hub() -> dict[str, Any]:
    return yaml.safe_load(plugin_defs.HUB_FILE.read_text())


@pytest.fixture(scope="module")
def meltano_yml() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "meltano.yml").read_text())


@pytest.fixture(scope="module")
def extractor(meltano_yml: dict[str, Any]) -> dict[str, Any]:
    (tap,) = [p for p in meltano_yml["plugins"]["extractors"] if p["name"] == "tap-braze-sends"]
    return tap


def test_hub_file_has_the_hub_fields(hub: dict[str, Any], about: dict[str, Any]) -> None:
    missing = [field for field in HUB_REQUIRED if not hub.get(field)]
    assert not missing
    assert hub["name"] == about["name"] == "tap-braze-sends"
    assert hub["namespace"] == "tap_braze_sends"
    assert hub["executable"] == "tap-braze-sends"
    assert hub["maintenance_status"] in {"active", "beta", "development", "inactive", "unknown"}
    assert plugin_defs.HUB_FILE.name == f"{hub['name']}--{hub['variant']}.yml"


def test_hub_settings_match_about(hub: dict[str, Any], about: dict[str, Any]) -> None:
    properties = about["settings"]["properties"]
    by_name = {s["name"]: s for s in hub["settings"]}
    assert len(by_name) == len(hub["settings"]), "a setting is declared twice"
    assert list(by_name) == list(properties), "settings differ from --about (missing or extra)"
    for name, prop in properties.items():
        setting = by_name[name]
        assert setting["kind"] == MELTANO_KIND, name
        assert setting.get("description") == prop.get("description"), name
        assert setting["label"] == prop.get("title", name), name
        assert bool(setting.get("sensitive")) == bool(prop.get("secret")), name
        if prop.get("default") is not None:
            assert setting["value"] == prop["default"], name
        else:
            assert "value" not in setting, name
    assert by_name["api_key"]["sensitive"] is True
    assert by_name["api_key"]["kind"] == "string"


def test_hub_settings_match_the_declarations(hub: dict[str, Any]) -> None:
    """Each setting the tap declares reaches the Hub file as declared (through --about)."""
    by_name = {s["name"]: s for s in hub["settings"]}
    for spec in SPECS:
        setting = by_name[spec.name]
        assert setting["label"] == spec.title, spec.name
        assert setting["description"] == spec.description, spec.name
        assert bool(setting.get("sensitive")) == spec.secret, spec.name
        assert setting.get("value") == spec.json_default, spec.name
    # The SDK's own settings follow the tap's (stream maps, flattening).
    assert list(by_name)[: len(SPECS)] == [spec.name for spec in SPECS]


def test_issue_settings_are_in_the_hub_file_as_the_contract_says(hub: dict[str, Any]) -> None:
    """The workspace settings' names, kinds and defaults, written out (a contract)."""
    by_name = {s["name"]: s for s in hub["settings"]}
    lists = ("app_ids", "segment_ids", "breakdown_segment_ids", "event_names", "products")
    flags = ("all_segments", "all_events", "all_products")
    for name in lists:
        assert (by_name[name]["kind"], by_name[name]["value"]) == (MELTANO_KIND, []), name
        assert by_name[name]["description"], name
    for name in flags:
        assert (by_name[name]["kind"], by_name[name]["value"]) == (MELTANO_KIND, False), name
        assert by_name[name]["description"], name


def test_no_deprecated_setting_kind_anywhere() -> None:
    """Meltano 4.4 warns about `kind: password` / `kind: hidden` / `kind: oauth`."""
    files = [ROOT / "meltano.yml", *sorted((ROOT / "plugins").rglob("*.yml"))]
    assert len(files) >= 4
    for path in files:
        data = yaml.safe_load(path.read_text())
        plugins = (
            [p for group in data["plugins"].values() for p in group]
            if "plugins" in data
            else [data]
        )
        for plugin in plugins:
            for setting in plugin.get("settings", []):
                assert setting.get("kind") not in {"password", "hidden", "oauth"}, (
                    f"{path.name}: {plugin['name']}.{setting['name']}"
                )


def test_hub_pip_url_installs_from_the_repository(hub: dict[str, Any]) -> None:
    """A VCS URL of the repository that pyproject.toml names: installable without PyPI."""
    pyproject = (ROOT / "pyproject.toml").read_text()
    repository = re.search(r'^Repository = "([^"]+)"$', pyproject, re.M)
    assert repository, "pyproject.toml names no Repository URL"
    assert hub["pip_url"] == f"git+{repository[1]}"
    assert hub["repo"] == repository[1].removesuffix(".git")


def test_hub_capabilities_and_required_settings(hub: dict[str, Any], about: dict[str, Any]) -> None:
    assert hub["capabilities"] == about["capabilities"]
    for wanted in ("state", "catalog", "discover", "about", "stream-maps", "schema-flattening"):
        assert wanted in hub["capabilities"]
    required = set(about["settings"]["required"])
    assert required == {"api_key", "api_url"}
    assert [set(group) for group in hub["settings_group_validation"]] == [required]


def test_generated_files_are_current() -> None:
    """Re-rendering from --about and meltano.yml gives byte-for-byte the committed files."""
    wanted = plugin_defs.wanted_files()
    assert plugin_defs.HUB_FILE in wanted
    assert ROOT / "meltano.yml" in wanted
    for path, text in wanted.items():
        assert path.exists(), f"{path.name} is missing: run python scripts/plugin_defs.py"
        assert path.read_text() == text, f"{path.name} is stale: run python scripts/plugin_defs.py"


def test_loader_hub_files_are_meltano_yml_loaders() -> None:
    project = yaml.safe_load((ROOT / "meltano.yml").read_text())
    loaders = {p["name"]: p for p in project["plugins"]["loaders"]}
    for name in ("target-postgres", "target-jsonl"):
        (path,) = (ROOT / "plugins" / "loaders").glob(f"{name}--*.yml")
        definition = yaml.safe_load(path.read_text())
        assert path.name == f"{name}--{definition['variant']}.yml"
        # The same packages; a wrapper of this repository (`-e ./loaders/<dir>`) comes from
        # the repository itself, so that another project can install it.
        local = loaders[name]["pip_url"].replace(
            "-e ./loaders/",
            "git+https://github.com/tap-braze-sends/tap-braze-sends.git#subdirectory=loaders/",
        )
        assert definition["pip_url"] == local
        assert definition["executable"] == loaders[name]["executable"]
        assert "==" in definition["pip_url"]
        assert definition["settings"] == loaders[name]["settings"]
        assert "config" not in definition


def test_meltano_yml_extractor_matches_hub(
    extractor: dict[str, Any], hub: dict[str, Any], about: dict[str, Any]
) -> None:
    assert extractor["namespace"] == hub["namespace"]
    assert extractor["executable"] == hub["executable"]
    assert extractor["pip_url"] == "-e ."
    assert sorted(extractor["capabilities"]) == sorted(about["capabilities"])
    assert extractor["settings"] == hub["settings"]
    assert extractor["settings_group_validation"] == hub["settings_group_validation"]


def test_meltano_yml_loaders_and_environments(meltano_yml: dict[str, Any]) -> None:
    loaders = {p["name"]: p for p in meltano_yml["plugins"]["loaders"]}
    assert set(loaders) == {"target-duckdb", "target-postgres", "target-snowflake", "target-jsonl"}
    assert loaders["target-postgres"]["variant"] == "meltanolabs"
    assert loaders["target-postgres"]["pip_url"].startswith("meltanolabs-target-postgres==")
    assert loaders["target-snowflake"]["variant"] == "meltanolabs"
    assert loaders["target-snowflake"]["pip_url"].startswith("meltanolabs-target-snowflake==")
    for loader in loaders.values():
        # Inline definitions: Meltano never has to reach the Hub, and versions are pinned.
        assert loader["namespace"], loader["name"]
        assert loader["executable"], loader["name"]
        assert "==" in loader["pip_url"], loader["name"]
        sensitive = {s["name"] for s in loader["settings"] if s.get("sensitive")}
        assert {"password"} <= sensitive or loader["name"] in {"target-duckdb", "target-jsonl"}
    assert [e["name"] for e in meltano_yml["environments"]] == ["dev", "prod"]
    assert meltano_yml["default_environment"] == "dev"
    assert meltano_yml["send_anonymous_usage_stats"] is False
    # No secret of a real workspace lives in the project file.
    (prod_tap,) = meltano_yml["environments"][1]["config"]["plugins"]["extractors"]
    assert "api_key" not in prod_tap.get("config", {})


@pytest.fixture(scope="module")
def meltano_schema() -> dict[str, Any]:
    """Meltano's own JSON schema for meltano.yml, from the project's Meltano install."""
    meltano_env.ensure_meltano()
    (path,) = (ROOT / ".venv-meltano").glob("lib/python*/site-packages/meltano/schemas/*.json")
    return json.loads(path.read_text())


def test_meltano_yml_valid_for_meltano(
    meltano_yml: dict[str, Any], meltano_schema: dict[str, Any]
) -> None:
    validator = jsonschema.validators.validator_for(meltano_schema)(meltano_schema)
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(meltano_yml)]
    assert not errors
    # The validator does reject what Meltano rejects (so the check above can fail).
    broken = copy.deepcopy(meltano_yml)
    broken["plugins"]["extractors"][0]["capabilities"].append("teleport")
    assert list(validator.iter_errors(broken))
