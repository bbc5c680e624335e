"""Directory fixtures: reference lists, a valid profile, structures in any status."""

from __future__ import annotations

import pytest

from network.core.uow import unit_of_work
from network.directory import fields, profiles, reference
from network.directory.demo import make_siret
from network.directory.models import StructureStatus


def _profile_data(n: int = 1, **overrides) -> fields.StructureData:
    values = dict(
        name=f"Association Exemple {n}", siret=make_siret(n), legal_form="association",
        rna=f"W57200{n:04d}", postcode="57000", commune="Metz", territory="metz",
        sectors=["insertion"], offerings=[("traiteur", "prestation", "departement")],
        description="Une **association** de Metz.",
    )
    values.update(overrides)
    return fields.StructureData(**values)


@pytest.fixture
def profile_data():
    """profile_data(n, **overrides): a valid StructureData (invented, Luhn-valid SIRET)."""
    return _profile_data


@pytest.fixture
def refdata(app):
    with unit_of_work():
        reference.ensure_reference_data()


@pytest.fixture
def make_structure(refdata, make_user, make_staff):
    counter = {"n": 0}
    staff = {}

    def make(owner=None, *, status=StructureStatus.APPROVED, **overrides):
        counter["n"] += 1
        owner = owner or make_user()
        if status != StructureStatus.PENDING:
            staff.setdefault("user", make_staff())
        with unit_of_work():  # as the request edge would: each factory call is committed
            structure = profiles.create_structure(
                _profile_data(counter["n"] + 100, **overrides), acting=owner)
            if status != StructureStatus.PENDING:
                profiles.approve_structure(structure, acting=staff["user"])
            if status == StructureStatus.SUSPENDED:
                profiles.suspend_structure(structure, acting=staff["user"], reason="Pour test")
        return structure

    return make
