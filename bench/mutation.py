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
        "if not approvals.approved(runtime.tokens.key, action, votes, runtime.settings.console_four_eyes):",
        "if False:",
        OOB,
    ),
    m(
        "approvals: any signature accepted",
        "server/approvals.py",
        "return hmac.compare_digest(expected, sig)",
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
        "else account == entry",
        "else account.startswith(entry)",
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
        "else account == entry",
        "else entry.startswith(account)",
        CORE + "::test_allowlist_is_exact_or_a_full_prefix",
    ),
    m(
        "policy: spend cap boundary off by one",
        POL,
        "if cap is not None and change.new > cap:",
        "if cap is not None and change.new >= cap:",
        CORE + "::test_spend_cap_boundaries",
    ),
    m(
        "policy: spend cap one too lenient",
        POL,
        "if cap is not None and change.new > cap:",
        "if cap is not None and change.new > cap + 1:",
        CORE + "::test_spend_cap_boundaries",
    ),
    m(
        "policy: increase cap boundary off by one",
        POL,
        "if increase > increase_cap:",
        "if increase >= increase_cap:",
        CORE + "::test_spend_cap_boundaries",
    ),
    m(
        "policy: increase cap one too lenient",
        POL,
        "if increase > increase_cap:",
        "if increase > increase_cap + 1:",
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
        "    for change in changes:\n        cap, variable = (",
        "    for change in changes[:1]:\n        cap, variable = (",
        CORE + "::test_every_one_of_several_spend_changes_is_checked",
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

APR = "server/approvals.py"
DOORS = "tests/console/test_console_doors.py::"
TEAM = "tests/console/test_console_team.py::"
AUTH, CONSOLE = "console/auth.py", "console/app.py"
MUTANTS += [
    # -- approvals N of M and the console's doors (issue 27, issue 29 item 7) ----------------------------
    m(
        "approvals: the decision is not signed",
        APR,
        "            action.id,\n            status,\n",
        "            action.id,\n",
        DOORS + "test_a_denied_change_edited_to_approved_does_not_verify",
    ),
    m(
        "approvals: the arguments are not signed",
        APR,
        "            action.arguments,\n",
        "",
        DOORS + "test_an_approval_edited_afterwards_shows_as_not_signed",
    ),
    m(
        "approvals: how many approvals are needed is not signed",
        APR,
        "            action.approvals_required,\n",
        "",
        DOORS + "test_the_required_count_is_signed",
    ),
    m(
        "approvals: not enough approvals still count as approved",
        APR,
        "return signed(key, action) and len(counted(key, action, approvals, four_eyes)) >= action.approvals_required",
        "return signed(key, action)",
        DOORS + "test_the_required_count_is_signed",
    ),
    m(
        "approvals: the requester's own approval counts",
        APR,
        "    if four_eyes and normal(name) == normal(action.requested_by):",
        "    if False:",
        TEAM + "test_the_cli_counts_as_the_operator_it_names_under_the_same_rules",
    ),
    m(
        "approvals: names compared as written",
        APR,
        '    return unicodedata.normalize("NFKC", name or "").casefold().strip()',
        '    return (name or "").strip()',
        TEAM + "test_the_cli_counts_as_the_operator_it_names_under_the_same_rules",
    ),
    m(
        "approvals: the first approval of two approves",
        APR,
        "    if len(votes) < action.approvals_required:",
        "    if False:",
        TEAM + "test_the_cli_counts_as_the_operator_it_names_under_the_same_rules",
    ),
    m(
        "approvals: the threshold ignores the amount",
        APR,
        "    return 1 if increase <= limit else full",
        "    return 1",
        "tests/test_oob_approval.py::test_small_budget_raises_need_one_approval_and_everything_else_the_full_count",
    ),
    m(
        "store: an expired approval still reads as pending",
        "server/store/base.py",
        '            action.status = "expired"',
        "            pass",
        DOORS + "test_an_executed_or_expired_change_takes_no_more_approvals",
    ),
    m(
        "guard: an empty key file is used",
        GUARD,
        "return key if len(key) >= MIN_KEY_LENGTH else None",
        "return key",
        DOORS + "test_an_empty_key_file_never_signs_an_approval",
    ),
    m(
        "console: a session outlives a token change",
        AUTH,
        'if token is None or not hmac.compare_digest(str(data.get("fp")), self._mac("operator", token)):',
        "if token is None:",
        DOORS + "test_a_session_ends_when_the_operator_token_changes",
    ),
    m(
        "console: sign-out is forgotten when the store purges",
        CONSOLE,
        '"console:" + session.sid, self.auth.expires_at())',
        '"console:" + session.sid, time.time())',
        DOORS + "test_a_signed_out_session_stays_dead_after_the_store_purges_expired_tokens",
    ),
    m(
        "console: CSRF bound to the operator, not the session",
        AUTH,
        'csrf=self._mac("csrf", sid)',
        'csrf=self._mac("csrf", str(operator))',
        DOORS + "test_csrf_is_bound_to_the_session_not_the_operator",
    ),
    m(
        "console: any port text accepted",
        AUTH,
        '(host.startswith(base + ":") and host[len(base) + 1 :].isdigit())',
        'host.startswith(base + ":")',
        DOORS + "test_every_page_checks_host_and_every_form_checks_origin_exactly",
    ),
    m(
        "console: a host name matched by prefix",
        AUTH,
        "        elif host == entry:",
        "        elif host.startswith(entry):",
        DOORS + "test_a_configured_host_name_is_matched_exactly",
    ),
    m(
        "console: an origin matched by prefix",
        AUTH,
        'return origin == f"{request.url.scheme}://{host}" or origin in trusted',
        'return origin.startswith(f"{request.url.scheme}://127.0.0.1") or origin in trusted',
        DOORS + "test_every_page_checks_host_and_every_form_checks_origin_exactly",
    ),
    m(
        "console: failed sign-ins not counted",
        CONSOLE,
        "            self.limiter.failed(address)\n",
        "",
        DOORS + "test_sign_in_attempts_are_limited_per_client_address",
    ),
    m(
        "store: no limit per requester",
        "server/store/base.py",
        ' AND expires_at > ?) < ?",',
        ' AND expires_at > ?) < ? + 1000",',
        DOORS + "test_one_requester_cannot_flood_the_queue",
    ),
    m(
        "webhook: Slack control characters not escaped",
        "server/webhook.py",
        '    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")',
        "    text = str(value)",
        DOORS + "test_webhook_text_cannot_ping_or_link",
    ),
]

# Changes that cannot alter behaviour, with the reason (not run).
EQUIVALENT = {
    "approvals: one person counted twice in counted()": "the approvals table's key (action, normalised name) and "
    "the check that a row's operator is its normalised name already allow one row per person",
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
