"""Undo at Jivox: nothing Jivox's API does can be taken back through it (why, for each write)."""

from __future__ import annotations

from ...vendorcall.reversal import Reversal

REVERSALS: dict[str, Reversal | str] = {
    "jivox_activate_retail_campaign": "Jivox's API has no call that deactivates a retail campaign (stop it in "
    "Jivox or at its DSP)",
    "jivox_submit_approval_request": "an approval request e-mails the approvers, and Jivox cannot withdraw it",
}
