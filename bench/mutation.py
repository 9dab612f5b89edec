"""Mutation testing of the safety core: `python bench/mutation.py` prints the score.

Each mutant is one meaningful change to a safety module (a dropped check, a flipped comparison, a
skipped scrub, an off-by-one on a cap), applied to a private copy of the package and run against the
test selection that exercises it (`pytest -x`, so a killed mutant stops at its first failing test).
A mutant whose text no longer occurs in the code is reported as stale (the code moved: update it),
never silently skipped. Equivalent mutants (a change that cannot alter behaviour) are listed with the
reason instead of being run.

    python bench/mutation.py              # every mutant, one at a time, then the score
    python bench/mutation.py -k guard     # only mutants whose id contains "guard"
    python bench/mutation.py --jobs 2     # two copies side by side
    python bench/mutation.py --list

Exit status 0 only when every mutant is killed (and none is stale).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
S = "tests/security/"
CORE = S + "test_safety_core.py"
KEYS = S + "test_keys_tokens.py"
OOB = S + "test_out_of_band.py"
ENC = S + "test_secret_encodings.py"
NOOPS = S + "test_noops.py::"
PLANS = S + "test_plans.py::"
ACCOUNTS = S + "test_accounts.py"
MODEL = S + "test_spend_model.py"
CAPS = S + "test_spend_caps.py"


@dataclass(frozen=True)
class Mutant:
    id: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]


def m(id: str, file: str, old: str, new: str, *tests: str) -> Mutant:
    return Mutant(id, "adops_mcp/" + file, old, new, tests)


GUARD, POL = "server/guard.py", "server/policy.py"
RUNTIME, CONFIRM = "server/runtime.py", "server/confirmation.py"
SEC, SAN, HTTP = "vendorcall/secrets.py", "vendorcall/sanitize.py", "vendorcall/http.py"
SPEND = "vendorcall/spend.py"

MUTANTS = [
    # -- guard: keys and tokens ---------------------------------------------------------------------
    m(
        "guard: used-token record expires at issue time",
        GUARD,
        'expires_at=min(float(payload["exp"]), signed_at.timestamp() + self.ttl)',
        "expires_at=signed_at.timestamp()",
        KEYS + "::test_purge_between_issue_and_confirm_keeps_the_used_record",
    ),
    m(
        "guard: token payload shape check removed",
        GUARD,
        "if not _well_formed(payload):",
        "if not isinstance(payload, dict):",
        KEYS + "::test_well_signed_token_of_the_wrong_shape_is_refused",
    ),
    m(
        "guard: signed expiry inside the token ignored",
        GUARD,
        'if self.clock() > payload["exp"]:',
        "if False:",
        KEYS + "::test_purged_record_and_longer_ttl_cannot_revive_a_token",
    ),
    m(
        "guard: empty or short key file used as the signing key",
        GUARD,
        "return key if len(key) >= MIN_KEY_LENGTH else None",
        "return key",
        KEYS + "::test_planted_empty_or_short_key_file_is_never_a_signing_key",
    ),
    m(
        "guard: signer accepts a short key",
        GUARD,
        "        if len(key) < MIN_KEY_LENGTH:\n            raise ConfigError(",
        "        if False:\n            raise ConfigError(",
        KEYS + "::test_short_configured_key_is_a_config_error",
    ),
    m(
        "config: ADOPS_CONFIRM_KEY length not checked",
        "config.py",
        "len(value.get_secret_value()) < 32",
        "len(value.get_secret_value()) < 3",
        KEYS + "::test_short_configured_key_is_a_config_error",
    ),
    m(
        "guard: the signing key not registered for scrubbing",
        GUARD,
        "        secrets.register(key, owner=self)\n",
        "",
        CORE + "::test_signing_key_of_a_fresh_install_is_scrubbed",
    ),
    m(
        "secrets: an owner's secrets kept for good (the scrub list grows with every token)",
        "vendorcall/secrets.py",
        "        if owner is None:\n",
        "        if True:\n",
        CORE + "::test_a_token_cache_scrubs_its_current_and_previous_token_only",
    ),
    m(
        "files: key file and database world-readable",
        "server/files.py",
        "_tighten(path, 0o600)",
        "_tighten(path, 0o644)",
        CORE + "::test_key_file_mode_and_database_files_are_private",
    ),
    m(
        "files: data directory left open",
        "server/files.py",
        "_tighten(path, 0o700)",
        "_tighten(path, 0o755)",
        KEYS + "::test_key_file_and_data_dir_private_whatever_the_umask",
    ),
    m(
        "confirmation: token not bound to the caller identity",
        CONFIRM,
        "if grant.caller != caller(ctx):",
        "if False:",
        KEYS + "::test_token_is_bound_to_the_bearer_identity_that_got_it",
    ),
    m(
        "identity: every HTTP caller is the same",
        "server/identity.py",
        "return name if isinstance(name, str) and name else HTTP_ANONYMOUS",
        "return HTTP_ANONYMOUS",
        KEYS + "::test_token_is_bound_to_the_bearer_identity_that_got_it",
    ),
    m(
        "confirmation: elicitation answered after its deadline executes",
        CONFIRM,
        "if runtime.tokens.clock() > getattr(ctx, ELICITATION_DEADLINE, 0.0):",
        "if False:",
        KEYS + "::test_elicitation_answered_after_its_deadline_sends_nothing",
    ),
    # -- out-of-band approvals ------------------------------------------------------------------------
    m(
        "confirmation: approval signature not verified",
        CONFIRM,
        "if not approvals.signed(runtime.tokens.key, action):",
        "if False:",
        OOB,
    ),
    m(
        "approvals: any signature accepted",
        "server/approvals.py",
        "return hmac.compare_digest(expected, action.signature)",
        "return True",
        OOB,
    ),
    m(
        "approvals: the note is not signed",
        "server/approvals.py",
        "            at,\n            note,\n            action.vendor,",
        "            at,\n            None,\n            action.vendor,",
        OOB,
    ),
    m(
        "confirmation: approved action not matched against the token",
        CONFIRM,
        "if action is None or (action.tool, action.account, action.arguments) != (",
        "if action is None or None == (",
        CORE + "::test_approved_action_must_match_the_token",
    ),
    # -- registry: confirmation paths ------------------------------------------------------------------
    m(
        "runtime: read-only not enforced in policy_check",
        RUNTIME,
        'if self.settings.read_only and op.effect != "read":\n            raise ToolError("The server runs read-only',
        'if False:\n            raise ToolError("The server runs read-only',
        CORE + "::test_runtime_refuses_writes_when_read_only_and_unknown_tools",
    ),
    m(
        "runtime: disabled tool not refused in policy_check",
        RUNTIME,
        "if op.name not in self.operations:",
        "if False:",
        CORE + "::test_runtime_refuses_writes_when_read_only_and_unknown_tools",
    ),
    m(
        "runtime: account allowlist not checked in policy_check",
        RUNTIME,
        "            policy.check_account(op, call.params, call.settings)",
        "            pass",
        "tests/test_policy.py::test_allowlist_checked_again_at_confirm_time",
    ),
    m(
        "runtime: write result not cleaned",
        RUNTIME,
        "result=clean(data.model_dump(",
        "result=(data.model_dump(",
        CORE + "::test_write_result_is_cleaned",
    ),
    m(
        "runtime: crash or cancellation leaves an intent without outcome",
        RUNTIME,
        '                await self.settle(audit_id, "unknown", detail)',
        "                pass",
        CORE + "::test_crash_or_cancellation_leaves_no_intent_without_outcome",
    ),
    m(
        "confirmation: confirm_action accepts a token for an unguarded tool",
        CONFIRM,
        "if op is None or not op.guarded:",
        "if op is None:",
        CORE + "::test_confirm_action_refuses_a_token_for_an_unguarded_tool",
    ),
    m(
        "confirmation: confirm_action account-key binding removed",
        CONFIRM,
        "if grant.account != call.settings.account_key:",
        "if False:",
        CORE + "::test_confirm_action_refuses_a_token_for_other_credentials_of_the_same_profile",
    ),
    m(
        "runtime: no-op hook ignored",
        RUNTIME,
        "        if call.op.unchanged is None:\n            return None",
        "        if True:\n            return None",
        NOOPS + "test_already_so_is_answered_without_asking_or_sending",
    ),
    m(
        "confirmation: a no-op is planned and asked instead of answered 'already so'",
        CONFIRM,
        "        if (already := await runtime.unchanged(call)) is not None:\n            return AlreadySo(already)\n",
        "",
        NOOPS + "test_already_so_is_answered_without_asking_or_sending",
        NOOPS + "test_no_form_is_shown_for_a_no_op",
    ),
    m(
        "runtime: no-op not re-checked before sending",
        RUNTIME,
        "        if (already := await self.unchanged(call)) is not None:  # e.g. became so",
        "        if None is not None and (already := await self.unchanged(call)):  # e.g. became so",
        NOOPS + "test_the_token_of_a_change_that_became_a_no_op_sends_nothing",
    ),
    m(
        "runtime: confirmed request digest not compared",
        RUNTIME,
        "if confirmed is None or digest(await rehearse(call)) != confirmed:",
        "if confirmed is None:",
        PLANS + "test_token_refused_when_the_world_changed_since_the_plan",
        PLANS + "test_form_answer_refused_when_the_world_changed_while_it_was_open",
    ),
    m(
        "confirmation: form answer not checked against the plan it confirmed",
        CONFIRM,
        "            await confirm_unchanged(call, getattr(ctx, PLAN_DIGEST, None))",
        "            pass",
        PLANS + "test_form_answer_refused_when_the_world_changed_while_it_was_open",
    ),
    m(
        "confirmation: spend re-check at confirmation removed",
        CONFIRM,
        "            await runtime.spend_check(call)\n            await confirm_unchanged(call, grant.digest)",
        "            await confirm_unchanged(call, grant.digest)",
        CORE + "::test_spend_refused_at_confirmation_burns_neither_token_nor_approval",
    ),
    m(
        "confirmation: vendor gate not re-checked at confirmation",
        CONFIRM,
        "                await op.check(call)  # the world may have changed since the plan",
        "                pass",
        "tests/test_guard.py::test_gate_checked_again_at_confirm_time",
    ),
    m(
        "config: account key an unsalted hash of the credentials",
        "config.py",
        'digest = hmac.new(self._install_key.encode(), b"adops-mcp/account/v1\\n" + material.encode(), hashlib.sha256)',
        "digest = hashlib.sha256(material.encode())",
        ENC + "::test_account_key_is_an_hmac_under_the_install_key",
    ),
    # -- policy ----------------------------------------------------------------------------------------
    m(
        "app: --exclude-tools ignored (the tool stays reachable)",
        "server/app.py",
        "    if op.name in policy.names(settings.exclude_tools):\n        return False",
        "    pass",
        CORE + "::test_excluded_tool_is_gone_even_when_its_toolset_is_chosen",
    ),
    m(
        "policy: exact allowlist entry acts as a prefix",
        POL,
        "        if account == entry:\n",
        "        if account.startswith(entry):\n",
        CORE + "::test_allowlist_is_exact_or_a_full_prefix",
    ),
    m(
        "policy: prefix entry shortened by one character",
        POL,
        "account.startswith(entry[:-1])",
        "account.startswith(entry[:-2])",
        CORE + "::test_allowlist_is_exact_or_a_full_prefix",
    ),
    m(
        "policy: exact entry matched by its own prefix",
        POL,
        "        if account == entry:\n",
        "        if entry.startswith(account):\n",
        CORE + "::test_allowlist_is_exact_or_a_full_prefix",
    ),
    m(
        "policy: prefix allowlist compared without case",
        POL,
        "account.startswith(entry[:-1])",
        "account.lower().startswith(entry[:-1].lower())",
        ACCOUNTS + "::test_prefix_allowlists_are_case_sensitive",
    ),
    m(
        "policy: a creative of another campaign with the same prefix allowed",
        POL,
        ' and "-" not in account[len(entry) + 1 :]',
        "",
        ACCOUNTS + "::test_a_creative_is_allowed_under_its_campaign_only",
    ),
    m(
        "policy: only the first account-selecting value checked",
        POL,
        "for mark, account in accounts:",
        "for mark, account in accounts[:1]:",
        ACCOUNTS + "::test_account_keys_inside_open_objects_are_checked",
    ),
    m(
        "policy: a write naming no account allowed under an allowlist",
        POL,
        'if not accounts and op.effect != "read":',
        "if False:",
        "tests/test_policy.py::test_allowlist_refuses_a_change_that_names_no_account",
    ),
    m(
        "policy: a model-chosen Delta media agency accepted",
        POL,
        'if setting is not None and getattr(vendor, setting, None) not in (None, "", value):',
        "if False:",
        ACCOUNTS + "::test_delta_media_agency_must_be_the_configured_one",
    ),
    m(
        "operation: account keys of open objects not checked",
        "vendorcall/operation.py",
        'named = str(key).lower().replace("_", "").replace("-", "") in ACCOUNT_KEYS',
        "named = False",
        ACCOUNTS + "::test_account_keys_inside_open_objects_are_checked",
    ),
    m(
        "config: the environment's allowlist does not bind config-file profiles",
        "config.py",
        "account.bind_operator_allowlist(env_vendor.allowed_accounts if env_vendor else None)",
        "account.bind_operator_allowlist(None)",
        ACCOUNTS + "::test_the_environment_allowlist_binds_config_file_profiles",
    ),
    m(
        "confirmation: the no-op read before the policy check",
        CONFIRM,
        "        runtime.policy_check(op, call)\n        if (already := await runtime.unchanged(call)) is not None:\n"
        "            return AlreadySo(already)\n",
        "        if (already := await runtime.unchanged(call)) is not None:\n            return AlreadySo(already)\n"
        "        runtime.policy_check(op, call)\n",
        ACCOUNTS + "::test_no_read_before_the_allowlist_refuses",
    ),
    m(
        "policy: spend cap boundary off by one",
        POL,
        "if settings.max_budget is not None and change.new > settings.max_budget:",
        "if settings.max_budget is not None and change.new >= settings.max_budget:",
        CORE + "::test_spend_cap_boundaries",
    ),
    m(
        "policy: spend cap one too lenient",
        POL,
        "if settings.max_budget is not None and change.new > settings.max_budget:",
        "if settings.max_budget is not None and change.new > settings.max_budget + 1:",
        CORE + "::test_spend_cap_boundaries",
    ),
    m(
        "policy: bid cap boundary off by one",
        POL,
        "if settings.max_bid is not None and change.new > settings.max_bid:",
        "if settings.max_bid is not None and change.new >= settings.max_bid:",
        CAPS + "::test_cap_boundaries",
    ),
    m(
        "policy: increase cap boundary off by one",
        POL,
        "if cap is not None and increase > cap:",
        "if cap is not None and increase >= cap:",
        CORE + "::test_spend_cap_boundaries",
    ),
    m(
        "policy: increase cap one too lenient",
        POL,
        "if cap is not None and increase > cap:",
        "if cap is not None and increase > cap + 1:",
        CORE + "::test_spend_cap_boundaries",
    ),
    m(
        "policy: unknown old budget treated as no increase",
        POL,
        "increase = change.new - (change.old or 0.0)",
        "increase = change.new - (change.old or change.new)",
        CORE + "::test_unknown_old_budget_counts_in_full_against_the_increase_cap",
    ),
    m(
        "policy: only the first of several spend changes checked",
        POL,
        "    for change in changes:\n        if change.new is None:",
        "    for change in changes[:1]:\n        if change.new is None:",
        CORE + "::test_every_one_of_several_spend_changes_is_checked",
    ),
    m(
        "policy: a value the model cannot judge is sent",
        POL,
        "if change.problem is not None:",
        "if False:",
        MODEL + "::test_values_the_model_cannot_judge_are_refused_in_every_nested_field",
    ),
    m(
        "policy: an unpriced amount passes the budget caps",
        POL,
        "        if change.new is None:  # an amount the vendor prices (impressions, slots) whose price is not known\n"
        "            if judged:",
        "        if change.new is None:  # an amount the vendor prices (impressions, slots) whose price is not known\n"
        "            if False:",
        MODEL + "::test_spend_inside_structures_is_judged",
    ),
    m(
        "policy: a removed cap not named as removed",
        POL,
        "if capped and math.isinf(change.new):",
        "if False:",
        MODEL + "::test_removing_a_cap_names_what_is_removed",
    ),
    m(
        "policy: a count may rise under budget caps",
        POL,
        "if not change.old_known or (change.old is not None and change.new > change.old):",
        "if not change.old_known:",
        MODEL + "::test_a_client_applies_cap_may_fall_under_budget_caps",
    ),
    m(
        "policy: the daily cap ignores the day's earlier rises",
        POL,
        "if daily is not None and rise > 0 and increased_today + rise > daily:",
        "if daily is not None and rise > 0 and rise > daily:",
        MODEL + "::test_six_small_steps_do_not_pass_the_daily_increase_cap",
    ),
    m(
        "policy: a bid counted as a budget rise of the day",
        POL,
        'if entry.get("kind", "budget") != "budget" or not isinstance(entry.get("new"), int | float):',
        'if not isinstance(entry.get("new"), int | float):',
        MODEL + "::test_six_small_steps_do_not_pass_the_daily_increase_cap",
    ),
    m(
        "runtime: failed writes counted in the day's rises",
        RUNTIME,
        'if r.status != "failed"',
        "if True",
        MODEL + "::test_the_daily_cap_counts_per_vendor_account_and_skips_failed_writes",
    ),
    m(
        "runtime: the day's rises summed across clients",
        RUNTIME,
        'policy.increase_of([e for e in r.spend or [] if e.get("scope") == scope])',
        "policy.increase_of(list(r.spend or []))",
        MODEL + "::test_the_daily_cap_counts_per_vendor_account_and_skips_failed_writes",
    ),
    m(
        "spend: numeric-looking text taken for a label",
        SPEND,
        "if isinstance(value, str) and numberish(value):",
        "if isinstance(value, str) and value.isdigit():",
        MODEL + "::test_values_the_model_cannot_judge_are_refused_in_every_nested_field",
    ),
    m(
        "spend: thousands separators not read as a number",
        SPEND,
        "\\d[\\d,_'\\u2019\\s.]*",
        "\\d[\\d_'\\u2019\\s.]*",
        MODEL + "::test_values_the_model_cannot_judge_are_refused_in_every_nested_field",
    ),
    m(
        "spend: negative amounts accepted",
        SPEND,
        "        if number < 0:",
        "        if number < -1e300:",
        MODEL + "::test_values_the_model_cannot_judge_are_refused_in_every_nested_field",
    ),
    m(
        "spend: camelCase bid keys not read as bids",
        SPEND,
        "    low = key.lower()",
        "    low = key",
        MODEL + "::test_spend_inside_structures_is_judged",
    ),
    m(
        "spend: neutral-key bids read as budgets",
        SPEND,
        'kind = "bid"  # {"bidType": "CPC", "value": 999}: its neutral amounts are bids',
        "pass",
        MODEL + "::test_spend_inside_structures_is_judged",
    ),
    m(
        "spend: amounts left out of a replaced object not seen as removed",
        SPEND,
        "for key in current.keys() - new.keys():",
        "for key in []:",
        MODEL + "::test_removing_a_cap_names_what_is_removed",
    ),
    m(
        "spend: list items (placements) not walked",
        SPEND,
        '            _walk(found, f"{what} [{label[1] if label else i}]", item, previous, kind, known)',
        "            pass",
        MODEL + "::test_spend_inside_structures_is_judged",
    ),
    m(
        "delta: a new eCPM does not price the current impression budget",
        "tools/deltaprojects/operations.py",
        'impressions = p.impression_budget if p.impression_budget is not None else now.get("impressionBudget")',
        "impressions = p.impression_budget",
        MODEL + "::test_a_new_ecpm_prices_the_impression_budget_read_from_the_vendor",
    ),
    m(
        "delta: impressions at eCPM 0 priced at 0",
        "tools/deltaprojects/operations.py",
        "isinstance(price, float) and price > 0:",
        "isinstance(price, float) and price >= 0:",
        MODEL + "::test_spend_inside_structures_is_judged",
    ),
    # -- secrets ---------------------------------------------------------------------------------------
    m(
        "secrets: credential query parameters not redacted",
        SEC,
        "    text = _SECRET_QUERY.sub(lambda m: m.group(1) + REDACTED, text)\n",
        "",
        CORE + "::test_credential_query_parameters_are_redacted_even_when_unregistered",
    ),
    m(
        "secrets: log messages without arguments not scrubbed",
        SEC,
        "if cleaned != message or record.args:",
        "if record.args:",
        CORE + "::test_log_lines_without_arguments_and_exception_text_are_scrubbed",
    ),
    m(
        "secrets: exception text in logs not scrubbed",
        SEC,
        "{scrub(str(exc))}",
        "{str(exc)}",
        CORE + "::test_log_lines_without_arguments_and_exception_text_are_scrubbed",
    ),
    m(
        "secrets: tracebacks kept in log records",
        SEC,
        "            record.exc_info = None\n",
        "",
        CORE + "::test_log_lines_without_arguments_and_exception_text_are_scrubbed",
    ),
    m(
        "secrets: records not scrubbed at creation",
        SEC,
        "            logging.setLogRecordFactory(_scrubbed_record_factory(logging.getLogRecordFactory()))\n",
        "            pass\n",
        CORE + "::test_log_lines_without_arguments_and_exception_text_are_scrubbed",
    ),
    m(
        "secrets: no decode pass (HTML entities, mixed escapes)",
        SEC,
        "        if decoded == text or not pattern.search(decoded):",
        "        if True:",
        ENC + "::test_every_encoding_is_scrubbed",
    ),
    m(
        "secrets: base64 at an offset not covered",
        SEC,
        "    forms |= _base64_forms(raw)\n",
        "    forms |= {base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()}\n",
        ENC + "::test_every_encoding_is_scrubbed",
    ),
    m(
        "secrets: base64 fragment keeps a character mixing in later bytes",
        SEC,
        "end = len(text) - (1 if (offset + len(raw)) % 3 else 0)",
        "end = len(text)",
        ENC + "::test_every_encoding_is_scrubbed",
    ),
    m(
        "secrets: hex not covered",
        SEC,
        "    forms |= {hexed, hexed.upper()}\n",
        "",
        ENC + "::test_every_encoding_is_scrubbed",
    ),
    m(
        "secrets: base URL userinfo not registered",
        "config.py",
        "        secrets.register_userinfo(vendor.url)",
        "        pass",
        ENC + "::test_base_url_userinfo_is_never_shown",
    ),
    m(
        "secrets: base URL userinfo shown",
        SEC,
        '    if "@" not in parts.netloc:\n        return url',
        "    return url",
        ENC + "::test_base_url_userinfo_is_never_shown",
        ENC + "::test_doctor_hides_base_url_userinfo",
    ),
    m(
        "http: error body cut before it is scrubbed",
        HTTP,
        "clean_text(response.text, 500)",
        "clean_text(response.text[:500])",
        ENC + "::test_error_body_scrubbed_before_it_is_cut",
    ),
    m(
        "http: answer size bound off by one",
        HTTP,
        "if len(body) > self.max_response_bytes:",
        "if len(body) >= self.max_response_bytes:",
        ENC + "::test_oversized_answer_is_refused_without_reading_it_all",
    ),
    m(
        "http: answer size bound not applied while streaming",
        HTTP,
        "if len(body) > self.max_response_bytes:",
        "if False:",
        ENC + "::test_oversized_answer_is_refused_without_reading_it_all",
    ),
    m(
        "http: declared size not checked before reading",
        HTTP,
        "if declared.isdigit() and int(declared) > self.max_response_bytes:",
        "if False:",
        ENC + "::test_oversized_answer_is_refused_without_reading_it_all",
    ),
    # -- sanitize --------------------------------------------------------------------------------------
    m(
        "sanitize: private-use characters kept",
        SAN,
        '("Cc", "Cf", "Co", "Cn", "Cs")',
        '("Cc", "Cf", "Cn", "Cs")',
        CORE + "::test_private_use_unassigned_and_format_characters_are_removed",
    ),
    m(
        "sanitize: unassigned code points kept",
        SAN,
        '("Cc", "Cf", "Co", "Cn", "Cs")',
        '("Cc", "Cf", "Co", "Cs")',
        CORE + "::test_private_use_unassigned_and_format_characters_are_removed",
    ),
    m(
        "sanitize: bidi and zero-width (format) characters kept",
        SAN,
        '("Cc", "Cf", "Co", "Cn", "Cs")',
        '("Cc", "Co", "Cn", "Cs")',
        CORE + "::test_private_use_unassigned_and_format_characters_are_removed",
    ),
    m(
        "sanitize: no length bound",
        SAN,
        'return text if len(text) <= limit else text[: limit - 1] + "…"',
        "return text",
        CORE + "::test_a_megabyte_vendor_string_is_bounded",
    ),
    m(
        "sanitize: length bound raised 100x",
        SAN,
        'return text if len(text) <= limit else text[: limit - 1] + "…"',
        'return text if len(text) <= limit * 100 else text[: limit * 100 - 1] + "…"',
        CORE + "::test_a_megabyte_vendor_string_is_bounded",
    ),
    m(
        "sanitize: length bound off by one",
        SAN,
        "return text if len(text) <= limit else",
        "return text if len(text) < limit else",
        CORE + "::test_a_megabyte_vendor_string_is_bounded",
    ),
    m(
        "sanitize: dict keys not cleaned",
        SAN,
        "return {clean_text(str(k), 200): clean(v) for k, v in value.items()}",
        "return {k: clean(v) for k, v in value.items()}",
        CORE + "::test_dict_keys_are_cleaned",
    ),
    m(
        "sanitize: model dict keys not cleaned",
        SAN,
        "return {clean_text(str(k), 200) if isinstance(k, str) else k: walk(v)",
        "return {k: walk(v)",
        CORE + "::test_dict_keys_are_cleaned",
    ),
    m(
        "sanitize: vendor text not scrubbed of credentials",
        SAN,
        "text = secrets.scrub(value)",
        "text = value",
        CORE + "::test_write_result_is_cleaned",
    ),
]

REQ = "vendorcall/request.py"
REQUESTS = S + "test_requests.py::"
BUILDER = (
    REQUESTS + "test_the_builder_refuses_what_the_validators_refuse",
    REQUESTS + "test_the_builder_encodes_each_value_as_exactly_one_segment",
)
ID_ARGS = (
    CORE + "::test_a_path_id_is_an_invalid_argument_before_anything_is_read",
    REQUESTS + "test_a_dot_dot_campaign_never_deletes_its_client",
    REQUESTS + "test_an_allowlist_compares_the_validated_id",
)
MUTANTS += [
    # -- the request builder (issue 10 item 1) ----------------------------------------------------------
    m("request: '..' accepted as a segment", REQ, 'if form in ("", ".", ".."):', 'if form in ("", "."):', *BUILDER),
    m("request: '.' accepted as a segment", REQ, 'if form in ("", ".", ".."):', 'if form in ("", ".."):', *BUILDER),
    m("request: empty segment accepted", REQ, 'if form in ("", ".", ".."):', 'if form in (".", ".."):', *BUILDER),
    m("request: '/' accepted", REQ, 'FORBIDDEN = set("/\\\\%?#")', 'FORBIDDEN = set("\\\\%?#")', *BUILDER),
    m("request: '\\' accepted", REQ, 'FORBIDDEN = set("/\\\\%?#")', 'FORBIDDEN = set("/%?#")', *BUILDER),
    m("request: '%' accepted", REQ, 'FORBIDDEN = set("/\\\\%?#")', 'FORBIDDEN = set("/\\\\?#")', *BUILDER),
    m("request: '?' accepted", REQ, 'FORBIDDEN = set("/\\\\%?#")', 'FORBIDDEN = set("/\\\\%#")', *BUILDER),
    m("request: '#' accepted", REQ, 'FORBIDDEN = set("/\\\\%?#")', 'FORBIDDEN = set("/\\\\%?")', *BUILDER),
    m("request: control and invisible characters accepted", REQ, '[0] in "CZ":', '[0] in "Z":', *BUILDER),
    m("request: spaces accepted", REQ, '[0] in "CZ":', '[0] in "C":', *BUILDER),
    m(
        "request: compatibility forms (fullwidth dots) not checked",
        REQ,
        'for form in dict.fromkeys((value, unicodedata.normalize("NFKC", value))):',
        "for form in (value,):",
        *BUILDER,
    ),
    m("request: segment not percent-encoded", REQ, 'return quote(value, safe="")', "return value", *BUILDER),
    m(
        "request: builder does not check the values itself",
        REQ,
        "        if problem := segment_problem(value):",
        "        if problem := None:",
        *BUILDER,
    ),
    m(
        "request: a value for no placeholder accepted",
        REQ,
        "if extra := sorted(set(values) - set(names)):",
        "if extra := []:",
        *BUILDER,
    ),
    m(
        "request: path ids not validated as arguments",
        REQ,
        "    if isinstance(value, str) and (problem := segment_problem(value)):",
        "    if isinstance(value, str) and (problem := None):",
        *ID_ARGS,
    ),
]

# Changes that cannot alter behaviour, with the reason (not run).
EQUIVALENT = {
    "guard: the key-file lock (flock) removed": "only a race between concurrent first starts shows it; the test "
    "runs 12 at once but cannot force the interleaving, so a survivor would prove nothing either way",
    "guard: fsync of the key file or its directory removed": "durability across a power cut; no test can observe it",
    "policy: --exclude-tools ignored in tool_selected": "app.reachable() drops every excluded tool from the "
    "runtime and build_server then removes each listed tool the runtime does not run, so an excluded tool is "
    "neither listed nor callable (the app mutant of that check is run and killed)",
    "secrets: quote/quote_plus forms removed from the variants": "the decode pass (unquote, unquote_plus, "
    "html.unescape) finds the same credential, so the text is still scrubbed (the forms only keep the rest of the "
    "text undecoded)",
}


def copy_tree(target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache", ".ruff_cache")
    for name in ("adops_mcp", "tests"):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    for name in ("pyproject.toml", "conftest.py"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, target / name)


def run_tests(tree: Path, tests: tuple[str, ...], timeout: float) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", *tests]
    try:
        done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return -1, "timeout"
    return done.returncode, done.stdout[-2000:] + done.stderr[-2000:]


def run_mutant(tree: Path, mutant: Mutant, timeout: float) -> str:
    path = tree / mutant.file
    original = path.read_text()
    if original.count(mutant.old) != 1:
        return "stale"
    path.write_text(original.replace(mutant.old, mutant.new))
    try:
        code, _ = run_tests(tree, mutant.tests, timeout)
    finally:
        path.write_text(original)
    if code == -1:
        return "killed (timeout)"
    return "killed" if code in (1, 2, 3) else "survived" if code == 0 else f"error (pytest exit {code})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-k", default="", help="only mutants whose id contains this text")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--list", action="store_true", help="list the mutants and whether each still applies")
    parser.add_argument("--no-baseline", action="store_true", help="skip checking that the selections pass unmutated")
    args = parser.parse_args()
    mutants = [mt for mt in MUTANTS if args.k in mt.id]
    if args.list:
        stale = 0
        for mt in mutants:
            applies = (ROOT / mt.file).read_text().count(mt.old) == 1
            stale += not applies
            print(f"{'ok   ' if applies else 'STALE'} {mt.id}  [{mt.file}]  -> {' '.join(mt.tests)}")
        return 1 if stale else 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="adops-mutation-") as tmp:
        trees = [Path(tmp) / f"tree{i}" for i in range(max(1, args.jobs))]
        for tree in trees:
            copy_tree(tree)
        if not args.no_baseline:
            selection = tuple(sorted({t for mt in mutants for t in mt.tests}))
            code, output = run_tests(trees[0], selection, args.timeout * 4)
            if code != 0:
                print(f"Baseline failed (the unmutated code must pass the selection):\n{output}")
                return 2
        free = list(trees)

        def work(mutant: Mutant) -> tuple[Mutant, str]:
            tree = free.pop()
            try:
                return mutant, run_mutant(tree, mutant, args.timeout)
            finally:
                free.append(tree)

        results: list[tuple[Mutant, str]] = []
        with ThreadPoolExecutor(max_workers=len(trees)) as pool:
            for mutant, outcome in pool.map(work, mutants):
                results.append((mutant, outcome))
                print(f"{outcome:18} {mutant.id}", flush=True)
    killed = sum(1 for _, o in results if o.startswith("killed"))
    bad = [(mt, o) for mt, o in results if not o.startswith("killed")]
    print(f"\nEquivalent (not run), {len(EQUIVALENT)}:")
    for name, why in EQUIVALENT.items():
        print(f"  {name}: {why}")
    print(
        f"\nMutation score: {killed}/{len(results)} killed ({100 * killed / max(1, len(results)):.0f}%), "
        f"{len(bad)} not killed, {len(EQUIVALENT)} equivalent; {time.perf_counter() - started:.0f} s"
    )
    for mutant, outcome in bad:
        print(f"  {outcome}: {mutant.id} ({mutant.file})")
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
