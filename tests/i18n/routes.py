"""Every GET route of the app, with who opens it and the values of its parameters.

A route missing from ROUTES and from NOT_CRAWLED fails the crawl: a new page is either
crawled in every language or listed here with the reason it is not.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Visit:
    who: str  # anon, member, staff, buyer, supplier, volunteer (door), forum_guest
    path: str
    ok: tuple[int, ...] = (200,)
    headers: dict = field(default_factory=dict, hash=False, compare=False)


def V(who, path, *ok, **headers):  # noqa: N802  a short name for a long table
    return Visit(who, path, tuple(ok) or (200,), {k.replace("_", "-"): v
                                                 for k, v in headers.items()})


REDIRECT = (301, 302, 303)

#: Routes no language crawl can open, and why (kept short: each one is a page not checked).
#: Answers shown as they were made for someone else: crawled (status), not read for French.
AS_SENT = {
    "outbox.attachment": "a queued mail's file (an invitation .ics) in its recipient's language",
}

NOT_CRAWLED = {
    "static": "files served as they are (CSS, JS, images): no text to translate",
    "admin.import_members_template": "a CSV whose French column names are the file format "
                                     "itself (the import reads them); tests/admin checks it",
}
#: Answers crawled for their status only: machine formats (JSON with stable field names,
#: images), no text a person reads in a language.
STATUS_ONLY = ("application/json", "text/javascript", "application/javascript", "image/png",
               "image/jpeg", "image/webp", "image/x-icon", "image/vnd.microsoft.icon",
               "image/svg+xml")


def routes(site, lang: str) -> dict[str, list[Visit]]:
    i, t = site.ids, {**site.tokens, **site.lang_tokens[lang]}
    ev, past, forum, ex = i["event"], i["past_event"], i["forum_event"], i["exhibitor"]
    door, ses, off, st = i["door_event"], i["esspresso"], i["offer"], i["structure"]
    mine, ost = i["my_structure"], i["offer_structure"]
    bearer = {"Authorization": f"Bearer {site.device_token}"}
    return {
        # machine answers (status only)
        "main.health": [V("anon", "/sante")],
        "main.favicon": [V("anon", "/favicon.ico", 200, *REDIRECT)],
        "offers.api_offers": [V("anon", "/api/v1/offers")],
        "offers.api_offer": [V("anon", f"/api/v1/offers/{off}")],
        "directory.api_structures": [V("anon", "/api/v1/structures")],
        "directory.api_structure": [V("anon", f"/api/v1/structures/{st}")],
        "directory.api_openapi": [V("anon", "/api/v1/openapi.json")],
        "directory.logo": [V("anon", f"/annuaire/{st}/logo", 404)],  # the demo has no logo
        "door_api.conflicts": [V("anon", "/api/v1/accueil/conflits", **bearer)],
        "door_api.people": [V("anon", "/api/v1/accueil/liste", **bearer)],
        "accounts.export_data": [V("member", "/compte/mes-donnees.json")],
        "events.my_data": [V("anon", f"/evenements/inscription/{t['manage']}/mes-donnees.json")],
        "events.my_badge_png": [V("anon", f"/evenements/inscription/{t['manage']}/badge.png")],
        "esspresso.export": [V("staff", f"/esspresso/{ses}/instance.json")],
        "offers.cv": [V("staff", f"/offres/reponses/{i['answer']}/cv", 404)],  # no CV sent
        "outbox.attachment": [V("staff", f"/boite-envoi/{i['attachment_message']}"
                                         "/piece-jointe/0")],
        # main, accounts
        "main.home": [V("anon", "/"), V("member", "/"), V("staff", "/")],
        "main.accessibility": [V("anon", "/accessibilite")],
        "main.privacy": [V("anon", "/confidentialite")],
        "main.legal": [V("anon", "/mentions-legales")],
        "seo.robots": [V("anon", "/robots.txt")],
        "seo.sitemap": [V("anon", "/sitemap.xml")],
        "accounts.sign_up": [V("anon", "/inscription")],
        "accounts.check_inbox": [V("anon", "/inscription/verifiez-vos-courriels")],
        "accounts.verify": [V("anon", f"/verifier/{t['verify']}", 200, *REDIRECT),
                            V("anon", "/verifier/lien-abime", 400)],
        "accounts.login": [V("anon", "/connexion")],
        "accounts.second_factor_login": [V("anon", "/connexion/code", *REDIRECT)],
        "accounts.forgot_password": [V("anon", "/mot-de-passe-oublie")],
        "accounts.reset_password": [V("anon", f"/mot-de-passe/{t['reset']}"),
                                    V("anon", "/mot-de-passe/lien-abime", 200, 400)],
        "accounts.account": [V("member", "/compte"), V("staff", "/compte"),
                             V("anon", "/compte", *REDIRECT)],
        "accounts.confirm_email_change": [V("anon", f"/compte/adresse/{t['change_email']}",
                                            200, *REDIRECT)],
        "accounts.second_factor_setup": [V("staff", "/compte/double-authentification"),
                                         V("member", "/compte/double-authentification")],
        "news.preference": [V("member", "/nouvelles/")],
        "news.unsubscribe": [V("anon", f"/nouvelles/desabonnement/{t['unsubscribe']}")],
        # directory
        "directory.index": [V("anon", "/annuaire/"), V("anon", "/annuaire/?q=insertion")],
        "directory.profile": [V("anon", f"/annuaire/{st}"), V("member", f"/annuaire/{mine}")],
        "directory.members": [V("member", f"/annuaire/{mine}/membres")],
        "directory.edit": [V("member", f"/annuaire/{mine}/modifier")],
        "directory.create": [V("member", "/annuaire/inscrire")],
        "directory.mine": [V("member", "/annuaire/mes-structures")],
        "directory.invitation": [V("member", f"/annuaire/invitation/{t['invitation']}")],
        "directory.staff_queue": [V("staff", "/annuaire/gestion/")],
        "directory.staff_structures": [V("staff", "/annuaire/gestion/structures")],
        "directory.staff_history": [V("staff", f"/annuaire/gestion/{st}/historique")],
        "directory.staff_export": [V("staff", "/annuaire/gestion/export.csv")],
        "directory.staff_reference": [V("staff", f"/annuaire/gestion/listes/{kind}")
                                      for kind in ("territoires", "secteurs", "categories")],
        # events
        "events.index": [V("anon", "/evenements/"), V("member", "/evenements/")],
        "events.detail": [V("anon", f"/evenements/{ev}"), V("member", f"/evenements/{door}"),
                          V("anon", f"/evenements/{past}")],
        "events.check_inbox": [V("anon", f"/evenements/{ev}/verifiez-vos-courriels")],
        "events.group": [V("member", f"/evenements/{ev}/groupe")],
        "events.confirm": [V("anon", f"/evenements/confirmer/{t['confirm']}", 200, *REDIRECT)],
        "events.manage": [V("anon", f"/evenements/inscription/{t['manage']}")],
        "events.my_badge": [V("anon", f"/evenements/inscription/{t['manage']}/badge")],
        "events.event_ics": [V("anon", f"/evenements/{ev}/agenda.ics")],
        "events.feed": [V("anon", "/evenements/agenda.ics")],
        "events.personal_feed": [V("anon", f"/evenements/agenda/{t['calendar']}.ics")],
        "events.staff_index": [V("staff", "/evenements/gestion/")],
        "events.staff_new": [V("staff", "/evenements/gestion/nouveau")],
        "events.staff_edit": [V("staff", f"/evenements/gestion/{ev}/modifier")],
        "events.staff_registrations": [V("staff", f"/evenements/gestion/{door}/inscriptions")],
        "events.staff_csv": [V("staff", f"/evenements/gestion/{door}/inscriptions.csv")],
        # door
        "door.scanner": [V("staff", f"/accueil/{door}"), V("volunteer", f"/accueil/{door}")],
        "door.service_worker": [V("anon", "/accueil/sw.js")],
        "door.old_scanner": [V("staff", f"/evenements/gestion/{door}/accueil", *REDIRECT)],
        "door.volunteers": [V("staff", f"/accueil/{door}/benevoles")],
        "door.printing": [V("staff", f"/accueil/{door}/impression")],
        "door.devices_page": [V("staff", f"/accueil/{door}/appareils")],
        "door.arrivals_page": [V("staff", f"/accueil/{door}/arrivees"),
                               V("staff", f"/accueil/{past}/arrivees")],
        "door.arrivals_csv": [V("staff", f"/accueil/{past}/arrivees.csv")],
        "door.signin_sheet": [V("staff", f"/accueil/{door}/emargement.pdf")],
        "door.volunteer_link": [V("anon", f"/accueil/lien/{t['volunteer']}", 200, *REDIRECT)],
        "door.badge": [V("staff", f"/evenements/badge/{i['badge']}", 200, *REDIRECT)],
        "door.own_badge_pdf": [V("anon", f"/evenements/inscription/{t['manage']}/badge.pdf")],
        "door.participants_page": [V("anon",
                                     f"/evenements/inscription/{t['manage']}/participants")],
        "door.participants_pdf": [V("anon",
                                    f"/evenements/inscription/{t['manage']}/participants.pdf")],
        "door.cancel_step": [V("anon", f"/evenements/inscription/{t['manage']}/annulation")],
        "door.my_participants": [V("member", f"/compte/participants/{i['registration']}",
                                   *REDIRECT)],
        # ESSpresso
        "esspresso.index": [V("anon", "/esspresso/"), V("buyer", "/esspresso/")],
        "esspresso.detail": [V("anon", f"/esspresso/{ses}"), V("buyer", f"/esspresso/{ses}"),
                             V("supplier", f"/esspresso/{ses}")],
        "esspresso.register_buyer": [V("buyer", f"/esspresso/{ses}/acheteur", 200, *REDIRECT)],
        "esspresso.register_supplier": [V("member", f"/esspresso/{ses}/fournisseur",
                                          200, *REDIRECT)],
        "esspresso.catalogue_page": [V("buyer", f"/esspresso/{ses}/catalogue")],
        "esspresso.book": [V("buyer", f"/esspresso/{ses}/reserver/{i['supplier']}",
                             200, *REDIRECT)],
        "esspresso.organiser": [V("staff", f"/esspresso/{ses}/organisation")],
        "esspresso.agenda_pdf": [V("buyer", f"/esspresso/{ses}/agenda.pdf")],
        "esspresso.agenda_ics": [V("buyer", f"/esspresso/{ses}/agenda.ics")],
        "esspresso.screen": [V("anon", f"/esspresso/{ses}/ecran")],
        "esspresso.table_plan": [V("staff", f"/esspresso/{ses}/plan-des-tables.pdf")],
        "esspresso.table_sheets": [V("staff", f"/esspresso/{ses}/fiches-tables.pdf")],
        "esspresso.room_page": [V("staff", f"/esspresso/{ses}/salle")],
        "esspresso.outcomes_page": [V("buyer", f"/esspresso/{ses}/bilan", 200, *REDIRECT)],
        "esspresso.buyer_team": [V("buyer", f"/esspresso/acheteurs/{i['buyer_org']}/equipe")],
        "esspresso.new_buyer": [V("member", "/esspresso/acheteurs/nouveau")],
        "esspresso.impact_page": [V("staff", "/esspresso/impact")],
        "esspresso.impact_csv": [V("staff", "/esspresso/impact.csv")],
        "esspresso.new_session": [V("staff", "/esspresso/nouvelle")],
        # offers, forum
        "offers.index": [V("anon", "/offres/"), V("anon", "/offres/?q=animation")],
        "offers.feed": [V("anon", "/offres/flux.atom")],
        "offers.detail": [V("anon", f"/offres/{off}"), V("member", f"/offres/{off}")],
        "offers.check_inbox": [V("anon", f"/offres/{off}/verifiez-vos-courriels")],
        "offers.confirm_answer": [V("anon", f"/offres/candidature/confirmer/"
                                            f"{t['answer_confirm']}", 200, *REDIRECT)],
        "offers.guest_answer": [V("anon", f"/offres/candidature/{t['answer']}")],
        "offers.mine": [V("member", "/offres/mes-candidatures")],
        "offers.confirm_alert": [V("anon", f"/offres/alertes/confirmer/{t['alert_confirm']}",
                                   200, *REDIRECT)],
        "offers.stop_alert": [V("anon", f"/offres/alertes/arreter/{t['alert_stop']}",
                                200, *REDIRECT)],
        "offers.publish_start": [V("member", "/offres/publier", 200, *REDIRECT)],
        "offers.manage": [V("staff", f"/offres/structure/{ost}")],
        "offers.create": [V("staff", f"/offres/structure/{ost}/nouvelle")],
        "offers.edit": [V("staff", f"/offres/{off}/modifier")],
        "offers.answers": [V("staff", f"/offres/{off}/reponses")],
        "offers.unpublish": [V("staff", f"/offres/{off}/retirer")],
        "offers.staff": [V("staff", "/offres/gestion")],
        "offers.forum_index": [V("anon", "/forum/")],
        "offers.forum_detail": [V("anon", f"/forum/{forum}"), V("member", f"/forum/{forum}")],
        "offers.forum_plan": [V("anon", f"/forum/{forum}/plan")],
        "offers.forum_exhibit": [V("member", f"/forum/{forum}/exposer", 200, *REDIRECT)],
        "offers.forum_report": [V("staff", f"/forum/{forum}/exposants/{ex}/bilan")],
        "offers.forum_guest": [V("anon", f"/forum/{forum}/jobdating/invite/{t['forum_guest']}",
                                 200, *REDIRECT)],
        "offers.forum_agenda": [V("forum_guest", f"/forum/{forum}/agenda")],
        "offers.forum_agenda_ics": [V("forum_guest", f"/forum/{forum}/agenda.ics")],
        "offers.forum_staff": [V("staff", f"/forum/{forum}/gestion")],
        "offers.forum_figures_csv": [V("staff", f"/forum/{forum}/bilan.csv")],
        # back office, outbox
        "admin.index": [V("staff", "/equipe/")],
        "admin.figures_page": [V("staff", "/equipe/chiffres")],
        "admin.figure_csv": [V("staff", f"/equipe/chiffres/{i['figure']}.csv")],
        "admin.users": [V("staff", "/equipe/comptes")],
        "admin.write": [V("staff", "/equipe/ecrire")],
        "admin.import_page": [V("staff", "/equipe/import")],
        "admin.import_members": [V("staff", "/equipe/import/membres")],
        "admin.annual_report": [V("staff", "/equipe/rapport-annuel")],
        "admin.annual_report_file": [V("staff", f"/equipe/rapport-annuel-{i['year']}.{fmt}")
                                     for fmt in ("pdf", "csv")],
        "outbox.index": [V("staff", "/boite-envoi/")],
        "outbox.detail": [V("staff", f"/boite-envoi/{i['message']}")],
        "outbox.preview": [V("anon", "/boite-envoi/apercu", 404)],
    }
