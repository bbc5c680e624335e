"""Reference lists the staff edit: territories (events use them too), sectors and
sub-sectors, purchase categories (ESSpresso reads their codes). The seeded lists are in
`seeds`; their names are stored in French and shown translated while the staff keep them."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from network.core import search as fulltext
from network.core.auth import require_staff
from network.core.errors import Conflict, NotFound
from network.directory.models import (
    PurchaseCategory,
    Sector,
    Structure,
    StructureOffering,
    Territory,
    structure_sectors,
)
from network.directory.rules import invalid, no_nul
from network.directory.search import reindex
from network.directory.seeds import PURCHASE_CATEGORIES, SECTORS, TERRITORIES, french
from network.extensions import db

MAX_NAME = 120  # the columns' size

REFERENCE_MODELS = {"territoires": Territory, "secteurs": Sector, "categories": PurchaseCategory}


def ensure_reference_data() -> list[str]:
    """Seed territories, sectors and purchase categories once (codes are stable), with their
    French names whatever the caller's language. Flushes."""
    added = []
    existing = set(db.session.scalars(select(Territory.code)))
    for position, (code, name) in enumerate(TERRITORIES):
        if code not in existing:
            db.session.add(Territory(code=code, name=name, position=position))
            added.append(f"territoire {name}")
    sectors = {s.code: s for s in db.session.scalars(select(Sector))}
    for position, (code, label, children) in enumerate(SECTORS):
        name = french(label)
        parent = sectors.get(code)
        if parent is None:
            parent = Sector(code=code, name=name, position=position * 100)
            db.session.add(parent)
            added.append(f"secteur {name}")
        for sub_position, (child_code, child_label) in enumerate(children):
            if child_code not in sectors:
                db.session.add(Sector(code=child_code, name=french(child_label), parent=parent,
                                      position=position * 100 + sub_position + 1))
    existing = set(db.session.scalars(select(PurchaseCategory.code)))
    for position, (code, label) in enumerate(PURCHASE_CATEGORIES):
        if code not in existing:
            name = french(label)
            db.session.add(PurchaseCategory(code=code, name=name, position=position))
            added.append(f"catégorie {name}")
    db.session.flush()
    return added


def list_territories(*, active_only: bool = True) -> list[Territory]:
    query = select(Territory).order_by(Territory.position, Territory.name)
    if active_only:
        query = query.where(Territory.is_active.is_(True))
    return list(db.session.scalars(query))


def list_sectors(*, active_only: bool = True) -> list[Sector]:
    """Parents followed by their children, in display order."""
    query = select(Sector).order_by(Sector.position, Sector.name)
    if active_only:
        query = query.where(Sector.is_active.is_(True))
    return list(db.session.scalars(query))


def list_categories(*, active_only: bool = True) -> list[PurchaseCategory]:
    query = select(PurchaseCategory).order_by(PurchaseCategory.position, PurchaseCategory.name)
    if active_only:
        query = query.where(PurchaseCategory.is_active.is_(True))
    return list(db.session.scalars(query))


def list_reference(kind: str) -> list:
    model = _reference_model(kind)
    return list(db.session.scalars(select(model).order_by(model.position, model.name)))


def _reference_model(kind: str):
    if kind not in REFERENCE_MODELS:
        raise NotFound(_("Liste inconnue."), "not_found")
    return REFERENCE_MODELS[kind]


def _slug(name: str) -> str:
    return fulltext.normalise(name).replace(" ", "-")[:60]


def _name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise invalid(_("Indiquez un nom."), "name_required", "name")
    if not no_nul(name):
        raise invalid(_("Ce champ contient un caractère invalide (octet nul)."),
                      "invalid_character", "name")
    if len(name) > MAX_NAME:
        raise invalid(_("Le nom est trop long (%(n)s caractères au plus).", n=MAX_NAME),
                      "name_too_long", "name")
    return name


def add_reference(kind: str, name: str, *, acting: Any, parent_code: str | None = None):
    require_staff(acting)
    model = _reference_model(kind)
    name = _name(name)
    code = _slug(name)
    if not code:
        raise invalid(_("Le nom doit contenir des lettres ou des chiffres."), "invalid_name",
                      "name")
    if db.session.scalar(select(model.id).where(model.code == code)) is not None:
        raise Conflict(_("Cet élément existe déjà."), "duplicate", field="name")
    position = (db.session.scalar(select(func.max(model.position))) or 0) + 1
    parent = None
    if parent_code and model is Sector:
        parent = db.session.scalar(select(Sector).where(Sector.code == parent_code,
                                                        Sector.parent_id.is_(None)))
        if parent is None:
            raise invalid(_("Secteur parent inconnu."), "invalid_parent", "parent")
        position = (db.session.scalar(select(func.max(Sector.position)).where(
            Sector.parent_id == parent.id)) or parent.position) + 1
    item = model(code=code, name=name, position=position)
    if parent is not None:
        item.parent = parent
    db.session.add(item)
    db.session.flush()
    return item


def rename_reference(kind: str, item_id: int, name: str, *, acting: Any) -> None:
    """The code stays (URLs, API and ESSpresso rely on it); search text follows the name."""
    require_staff(acting)
    model = _reference_model(kind)
    item = db.session.get(model, item_id)
    if item is None:
        raise NotFound(_("Élément introuvable."), "not_found")
    item.name = _name(name)
    db.session.flush()
    reindex(_structures_using(model, item))
    db.session.flush()


def _structures_using(model, item) -> list[int]:
    if model is Territory:
        return list(db.session.scalars(select(Structure.id).where(
            Structure.territory_id == item.id)))
    if model is Sector:
        ids = [item.id] + [child.id for child in item.children]
        return list(db.session.scalars(select(structure_sectors.c.structure_id).where(
            structure_sectors.c.sector_id.in_(ids))))
    return list(db.session.scalars(select(StructureOffering.structure_id).where(
        StructureOffering.category_id == item.id)))


def set_reference_active(kind: str, item_id: int, active: bool, *, acting: Any) -> None:
    """Deactivated items leave the forms and filters; profiles keep them."""
    require_staff(acting)
    model = _reference_model(kind)
    item = db.session.get(model, item_id)
    if item is None:
        raise NotFound(_("Élément introuvable."), "not_found")
    item.is_active = bool(active)
    db.session.flush()
