"""Descriptions that separate siblings (issue 12): a model picks a tool by its description alone.

Two checks over the whole catalogue (every tool of every toolset, including the adops_* tools):
- no two descriptions are near-duplicates once each tool's own name words are set aside;
- a tool with a near sibling (get one vs list, pause vs enable, delete vs pause, approval vs
  activation status, ...) names that sibling, so the model reads when to use which.
"""

from __future__ import annotations

import itertools
import re

import pytest

from adops_mcp.catalogue import catalogue

DESCRIPTIONS = {e["name"]: e["description"] for e in catalogue()}

# Jaccard similarity of two tools' distinctive words (below) at or above which they are near-duplicates.
# A description copied to another tool with only the noun swapped scores 0.85-1.0 (the test below).
# Parallel actions at different levels (joveo_enable_campaign vs joveo_enable_client, delete of a job
# vs a posting config) legitimately share their verb's words ("spend again", "irreversible", "asks the
# user to confirm") and differ in the noun their names carry: the closest measured pair scores 0.77.
# 0.8 sits between the two.
NEAR_DUPLICATE = 0.8


STOPWORDS = {
    "a",
    "an",
    "and",
    "as",
    "at",
    "by",
    "for",
    "from",
    "in",
    "is",
    "it",
    "its",
    "of",
    "on",
    "one",
    "or",
    "the",
    "to",
}


def _stem(word: str) -> str:
    return word[:-3] + "y" if word.endswith("ies") else word.removesuffix("s")


def distinctive_words(name: str) -> set[str]:
    """The words of a tool's description that its own name does not already say.

    Tool names it mentions count as one word each, so naming a sibling sets descriptions apart;
    the tool's own name words (vendor, verb, resource noun) are the shared noise that would make
    every "joveo_..._jobgroup" look alike.
    """
    text = DESCRIPTIONS[name]
    mentioned = {t for t in DESCRIPTIONS if re.search(rf"\b{t}\b", text)}
    for tool in mentioned:
        text = re.sub(rf"\b{tool}\b", " ", text)
    words = {_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOPWORDS}
    own = name.replace("_", "")  # "jobgroup" in the name covers "job group" in the text
    return {w for w in words if w not in name.split("_") and not (len(w) >= 3 and w in own)} | mentioned


def similarity(a: str, b: str) -> float:
    wa, wb = distinctive_words(a), distinctive_words(b)
    return len(wa & wb) / len(wa | wb)


def test_no_two_descriptions_are_near_duplicates() -> None:
    close = [
        (round(similarity(a, b), 2), a, b)
        for a, b in itertools.combinations(sorted(DESCRIPTIONS), 2)
        if similarity(a, b) >= NEAR_DUPLICATE
    ]
    assert not close, f"near-duplicate descriptions (Jaccard >= {NEAR_DUPLICATE}): {close}"


@pytest.mark.parametrize(
    ("source", "copy", "noun"),
    [
        ("joveo_get_client_status", "joveo_get_jobgroup_status", "job group"),
        ("joveo_get_feed", "delta_get_bidding_plan", "feed"),
    ],
)
def test_the_measure_sees_a_copied_description(source: str, copy: str, noun: str) -> None:
    """The check can fail: a description copied to another tool (noun swapped, or verbatim) is caught."""
    saved = DESCRIPTIONS[copy]
    try:
        for text in (re.sub(rf"(?<!_){source.split('_')[2]}", noun, DESCRIPTIONS[source]), DESCRIPTIONS[source]):
            DESCRIPTIONS[copy] = text
            assert similarity(source, copy) >= NEAR_DUPLICATE, text
    finally:
        DESCRIPTIONS[copy] = saved


def _verb_noun(name: str) -> tuple[str, str, str]:
    vendor, verb, *noun = name.split("_")
    return vendor, verb, "_".join(noun)


def derived_siblings() -> set[tuple[str, str]]:
    """(tool, sibling it must name) that follow from the names: get one vs list, pause vs enable, delete vs pause."""
    pairs: set[tuple[str, str]] = set()
    for name in DESCRIPTIONS:
        vendor, verb, noun = _verb_noun(name)
        plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
        for mine, other, theirs in (("get", "list", plural), ("pause", "enable", noun), ("delete", "pause", noun)):
            sibling = f"{vendor}_{other}_{theirs}"
            if verb == mine and sibling in DESCRIPTIONS:
                pairs.add((name, sibling))
                if other != "pause":  # the pause need not advertise the delete
                    pairs.add((sibling, name))
    return pairs


# Siblings the names alone do not reveal: near in meaning, different in what they do.
NAMED_SIBLINGS = {
    ("jivox_submit_approval_request", "jivox_get_approval_status"),
    ("jivox_get_approval_status", "jivox_get_activation_status"),
    ("jivox_get_activation_status", "jivox_get_approval_status"),
    ("jivox_get_activation_status", "jivox_wait_for_activation"),
    ("jivox_activate_retail_campaign", "jivox_wait_for_activation"),
    ("jivox_wait_for_activation", "jivox_get_activation_status"),
    ("joveo_add_job", "joveo_enable_job"),
    ("joveo_enable_job", "joveo_add_job"),
    ("joveo_get_client", "joveo_get_client_status"),
    ("joveo_get_client_status", "joveo_get_client"),
    ("joveo_pause_client", "joveo_pause_campaign"),
    ("joveo_pause_campaign", "joveo_pause_jobgroup"),
    ("joveo_pause_jobgroup", "joveo_pause_campaign"),
    ("joveo_pause_job", "joveo_pause_jobgroup"),
    ("joveo_create_campaign", "joveo_create_jobgroup"),
    ("joveo_create_jobgroup", "joveo_create_campaign"),
    ("joveo_list_campaigns", "joveo_get_metadata"),
    ("joveo_get_metadata", "joveo_list_campaigns"),
    ("joveo_get_job", "joveo_get_jobs_bulk"),
    ("joveo_get_jobs_bulk", "joveo_get_job"),
    ("joveo_get_jobgroup", "joveo_get_jobgroup_status"),
    ("joveo_get_jobgroup_status", "joveo_diagnose_jobgroup"),
    ("joveo_diagnose_jobgroup", "joveo_get_jobgroup_status"),
    ("joveo_list_campaign_jobgroups", "joveo_list_client_jobgroups"),
    ("joveo_list_client_jobgroups", "joveo_list_campaign_jobgroups"),
    ("joveo_list_posting_configs", "joveo_list_publisher_posting_configs"),
    ("joveo_list_publisher_posting_configs", "joveo_list_posting_configs"),
    ("joveo_list_publisher_jobs", "joveo_list_posting_config_jobs"),
    ("joveo_submit_stats_report", "joveo_wait_for_stats_report"),
    ("joveo_wait_for_stats_report", "joveo_submit_stats_report"),
    ("joveo_get_stats_report_status", "joveo_wait_for_stats_report"),
    ("joveo_stream_stats", "joveo_submit_stats_report"),
    ("joveo_generate_stats_report", "joveo_submit_stats_report"),
    ("joveo_get_report", "joveo_get_stats_report_status"),
    ("joveo_request_publisher_report", "joveo_get_publisher_report"),
    ("joveo_get_publisher_report", "joveo_request_publisher_report"),
    ("merchenta_get_creative_status", "merchenta_get_campaign_creatives_status"),
    ("merchenta_get_campaign_creatives_status", "merchenta_get_creative_status"),
    ("merchenta_set_creative_status", "merchenta_set_campaign_status"),
    ("merchenta_set_campaign_status", "merchenta_set_creative_status"),
    ("delta_get_activity", "delta_get_activity_statistics"),
    ("delta_get_activity_statistics", "delta_get_activity"),
    ("delta_create_activity", "delta_update_activity"),
    ("delta_update_activity", "delta_create_activity"),
    ("adops_find_tools", "adops_call_tool"),
    ("adops_call_tool", "adops_find_tools"),
}


def test_named_siblings_are_tools() -> None:
    assert {t for pair in NAMED_SIBLINGS for t in pair} <= set(DESCRIPTIONS)


@pytest.mark.parametrize(("tool", "sibling"), sorted(derived_siblings() | NAMED_SIBLINGS))
def test_description_names_its_sibling(tool: str, sibling: str) -> None:
    assert re.search(rf"\b{sibling}\b", DESCRIPTIONS[tool]), (
        f"{tool}'s description should say when to use {sibling} instead: {DESCRIPTIONS[tool]!r}"
    )
