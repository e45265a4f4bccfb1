"""Which of an area's LAs have an SSDA903 return covering a date, and what a page says about the others: an LA
without a return has no figures, never figures of 0 (missing is not zero)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

NO_RETURN = "no return"


@dataclass(frozen=True)
class ReturnCoverage:
    covered: int                     # LAs whose latest return runs to the date or later
    not_sent: tuple[str, ...]        # names of LAs with no return at all
    ended: tuple[tuple[str, pd.Timestamp], ...]   # (name, the 31 March its latest return runs to) before the date
    banners: tuple[str, ...]         # what the page says about them, if anything
    reason: str                      # why the area has no figures when none of its LAs is covered, in a sentence

    @property
    def none(self) -> bool:
        return self.covered == 0


def return_coverage(codes, names: dict[str, str], area_name: str, at: pd.Timestamp, returned_to: dict, *,
                    anonymised: bool = False) -> ReturnCoverage:
    """The area's LAs (`codes`) by their returns at `at` (`returned_to`: LA code -> the 31 March its latest return
    runs to). Anonymised, LAs are counted, not named: a label beside "no return" would say which LA it is."""
    not_sent = tuple(names[c] for c in codes if c not in returned_to)
    ended = tuple((names[c], returned_to[c]) for c in codes if c in returned_to and returned_to[c] < at)
    covered = len(codes) - len(not_sent) - len(ended)
    at_label = f"{at:%-d %B %Y}"
    banners, reason = [], f"No LA in {area_name} has an SSDA903 return covering {at_label}."
    if len(codes) == 1 and not_sent:
        reason = f"{area_name} has not sent an SSDA903 return yet."
        banners.append(f"{area_name} has not sent an SSDA903 return yet, so there are no figures for its children: they "
                       f"say \"{NO_RETURN}\", never 0.")
    elif len(codes) == 1 and ended:
        reason = f"{area_name}'s latest SSDA903 return runs to {ended[0][1]:%-d %B %Y}, before {at_label}."
        banners.append(f"{reason[:-1]}: choose that date or earlier to see its children. Figures here say "
                       f"\"{NO_RETURN}\", never 0.")
    elif not_sent or ended:
        missing = []
        if not_sent:
            missing.append(f"no return yet from {len(not_sent)}" if anonymised else f"no return yet from {names_listed(not_sent)}")
        if ended:
            missing.append(f"{len(ended)} whose latest return ends before this date" if anonymised else
                           "latest return ending before this date from "
                           + names_listed([f"{name} ({day:%-d %B %Y})" for name, day in ended]))
        said = (f"{area_name}'s figures count the children of the {covered} of its {len(codes)} LAs with an SSDA903 "
                f"return covering {at_label}; " + "; ".join(missing) + ".")
        if ended:
            said += (" An LA's children still looked after when its latest return ends are counted as still looked "
                     "after until its next return arrives.")
        banners.append(said)
    return ReturnCoverage(covered, not_sent, ended, tuple(banners), reason)


def names_listed(names) -> str:
    """"A", "A and B", "A, B and C"."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
