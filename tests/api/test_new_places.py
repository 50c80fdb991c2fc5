"""Places and programmes a write names that are not yet listed: found by name in any
letter case or added as the website adds them, checked first, written in the record's
transaction, and listed to those who may see the records naming them."""

import pytest
from django.core.exceptions import ValidationError

from registry.models import Department, Evaluation, Place, Programme
from registry.services import named_values
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

LIST = "/api/v1/evaluations/"
NEW = {"title": "Family group conferencing in Hertfordshire", "lead_department": "department-for-education"}


def post(client, **fields):
    return client.post(LIST, {**NEW, **fields}, format="json")


def test_a_new_place_named_in_a_write_is_added_trimmed_and_given_to_the_record(user):
    response = post(token_client(user), places=[{"name": "  Hertfordshire \t County "}])
    assert response.status_code == 201, response.content
    assert response.json()["places"] == [{"slug": "hertfordshire-county", "name": "Hertfordshire County"}]
    place = Place.objects.get(slug="hertfordshire-county")
    assert place.name == "Hertfordshire County"
    assert list(Evaluation.objects.get(slug=response.json()["slug"]).places.all()) == [place]


def test_a_place_named_in_any_letter_case_is_the_one_listed_never_a_second(user):
    leeds = Place.objects.create(slug="leeds", name="Leeds")
    before = Place.objects.count()
    response = post(token_client(user), places=[{"name": "LEEDS"}, "leeds", {"name": " leeds "}, "Leeds"])
    assert response.status_code == 201, response.content
    assert response.json()["places"] == [{"slug": "leeds", "name": "Leeds"}]
    assert Place.objects.count() == before
    assert list(Evaluation.objects.get(slug=response.json()["slug"]).places.all()) == [leeds]


def test_two_spellings_of_one_new_place_in_one_write_make_one_place(user):
    response = post(token_client(user), places=[{"name": "Ynys Môn"}, {"name": "YNYS MÔN"}])
    assert response.status_code == 201, response.content
    assert [p["name"] for p in response.json()["places"]] == ["Ynys Môn"]
    assert Place.objects.filter(name__iexact="ynys môn").count() == 1


def test_a_second_record_naming_the_same_new_place_reuses_it(user):
    client = token_client(user)
    first = post(client, places=[{"name": "Hertfordshire"}]).json()
    second = post(client, title="Another Hertfordshire evaluation", places=[{"name": "hertfordshire"}]).json()
    assert first["places"] == second["places"] == [{"slug": "hertfordshire", "name": "Hertfordshire"}]
    assert Place.objects.filter(name__iexact="hertfordshire").count() == 1


def test_a_slug_that_names_nothing_says_how_to_add_a_place_and_stores_nothing(user):
    response = post(token_client(user), places=["hertfordshire"])
    assert response.status_code == 400
    message = response.json()["errors"]["places"]["0"][0]
    assert "“hertfordshire” is not a known place" in message and '{"name": "..."}' in message
    assert not Evaluation.objects.filter(title=NEW["title"]).exists()
    assert not Place.objects.filter(slug="hertfordshire").exists()


@pytest.mark.parametrize(("value", "message"), [
    ({"name": "   "}, "Enter the place's name."),
    ({"name": ""}, "Enter the place's name."),
    ({"name": "x" * 256}, "The place's name must be 255 characters or fewer."),
    ({"name": "!!! —"}, "The place's name must contain a letter or a number."),
    ({"name": "Leeds\x00"}, "The place's name cannot contain control characters (such as a null character)."),
    ({"nom": "Leeds"}, 'Give a slug, or {"name": "..."} for a place not yet listed.'),
    ({"name": "Leeds", "slug": "leeds"}, 'Give a slug, or {"name": "..."} for a place not yet listed.'),
    ({"name": 7}, 'Give a slug, or {"name": "..."} for a place not yet listed.'),
    (7, 'Give a slug, or {"name": "..."} for a place not yet listed.'),
    ("lee\x00ds", "The place's name cannot contain control characters (such as a null character)."),
])
def test_a_bad_place_name_gets_a_message_and_nothing_is_stored(user, value, message):
    places = Place.objects.count()
    response = post(token_client(user), places=[value])
    assert response.status_code == 400
    assert response.json()["errors"]["places"]["0"] == [message]
    assert Place.objects.count() == places
    assert not Evaluation.objects.filter(title=NEW["title"]).exists()


def test_at_most_fifty_places(user):
    response = post(token_client(user), places=[{"name": f"Place {i}"} for i in range(51)])
    assert response.status_code == 400
    assert response.json()["errors"]["places"] == ["List at most 50 places."]
    assert not Place.objects.filter(name="Place 1").exists()


def test_a_name_at_the_limit_is_kept_whole(user):
    name = "A" * 250 + " Town"
    response = post(token_client(user), places=[{"name": name}])
    assert response.status_code == 201, response.content
    assert response.json()["places"][0]["name"] == name


def test_a_record_the_service_refuses_leaves_no_new_place_or_programme(user):
    """The names become rows in the record's transaction: a refusal takes them back."""
    data = {"title": "", "lead_department": Department.objects.get(code="department-for-education"),
            "places": [named_values.NewName(Place, "Nowhere Shire")],
            "programme": named_values.NewName(Programme, "Nowhere Programme")}
    with pytest.raises(ValidationError):
        named_values.create_record(data, by=user)
    assert not Place.objects.filter(name="Nowhere Shire").exists()
    assert not Programme.objects.filter(name="Nowhere Programme").exists()


def test_a_programme_can_be_named_reused_by_name_picked_by_slug_and_cleared(user):
    client = token_client(user)
    first = post(client, programme={"name": " Supporting  Families "})
    assert first.status_code == 201, first.content
    assert first.json()["programme"] == {"slug": "supporting-families", "name": "Supporting Families"}
    second = post(client, title="Supporting Families: the second evaluation",
                  programme={"name": "supporting families"}).json()
    assert second["programme"]["slug"] == "supporting-families"
    assert Programme.objects.filter(name__iexact="supporting families").count() == 1
    slug = second["slug"]
    assert client.patch(f"{LIST}{slug}/", {"programme": "supporting-families"}, format="json").status_code == 200
    cleared = client.patch(f"{LIST}{slug}/", {"programme": None}, format="json")
    assert cleared.status_code == 200 and cleared.json()["programme"] is None
    refused = client.patch(f"{LIST}{slug}/", {"programme": {"name": ""}}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"]["programme"] == ["Enter the programme's name."]


def test_an_update_can_name_a_new_place(user):
    client = token_client(user)
    slug = post(client).json()["slug"]
    response = client.patch(f"{LIST}{slug}/", {"places": [{"name": "Wirral"}]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["places"] == [{"slug": "wirral", "name": "Wirral"}]


def test_a_one_letter_place_is_added_with_the_websites_warning(user):
    body = post(token_client(user), places=[{"name": "x"}]).json()
    assert [w["code"] for w in body["quality_warnings"]] == ["place_name_too_short"]
    assert [w["field"] for w in body["quality_warnings"]] == ["places"]


def test_only_signed_in_contributors_add_places(client_api):
    response = client_api.post(LIST, {**NEW, "places": [{"name": "Anonymous Shire"}]}, format="json")
    assert response.status_code == 401
    assert not Place.objects.filter(name="Anonymous Shire").exists()


def test_a_place_only_a_draft_names_is_listed_to_its_editors_and_moderators_only(user, other_user, staff_user,
                                                                                   client_api):
    owner = token_client(user)
    post(owner, places=[{"name": "Draftshire"}], programme={"name": "Draft Programme"})
    draftshire = {"slug": "draftshire", "name": "Draftshire"}
    programme = {"slug": "draft-programme", "name": "Draft Programme"}

    def listed(client):
        places = client.get("/api/v1/places/", {"page_size": 100}).json()["results"]
        programmes = client.get("/api/v1/programmes/", {"page_size": 100}).json()["results"]
        return draftshire in places, programme in programmes

    assert listed(owner) == (True, True)
    assert listed(token_client(staff_user)) == (True, True)
    other = token_client(other_user)
    assert listed(other) == (False, False)
    assert listed(client_api) == (False, False)
    assert client_api.get("/api/v1/places/draftshire/").status_code == 404
    # Nor can someone else learn of it by picking it by slug.
    response = post(other, title="Someone else's record", places=["draftshire"])
    assert response.status_code == 400 and "not a known place" in response.json()["errors"]["places"]["0"][0]


def test_a_place_is_public_once_a_published_record_names_it(user, client_api):
    crewe = Evaluation.objects.get(slug="project-crewe")
    place = Place.objects.create(slug="cheshire-east", name="Cheshire East")
    crewe.places.add(place)
    post(token_client(user), places=["cheshire-east"])  # a draft naming it too changes nothing
    body = client_api.get("/api/v1/places/", {"page_size": 100}).json()
    assert {"slug": "cheshire-east", "name": "Cheshire East"} in body["results"]


def test_the_places_list_takes_a_fixed_number_of_queries(client_api, user, django_assert_max_num_queries):
    client = token_client(user)
    for i in range(15):
        post(client, title=f"Record naming place {i}", places=[{"name": f"Somewhere {i}"}])
    for who in (client_api, client):
        with django_assert_max_num_queries(5):
            assert who.get("/api/v1/places/", {"page_size": 100}).status_code == 200


def test_the_schema_says_a_place_may_be_named(client_api):
    schema = client_api.get("/api/v1/schema/", {"format": "json"}).json()
    places = schema["components"]["schemas"]["EvaluationWriteRequest"]["properties"]["places"]
    assert places["maxItems"] == 50
    shapes = places["items"]["oneOf"]
    assert shapes[0]["type"] == "string" and shapes[1]["required"] == ["name"]


def test_a_listed_name_with_letters_beyond_ascii_is_found_in_any_case(user):
    place = Place.objects.create(slug="ynys-mon", name="Ynys Môn")
    response = post(token_client(user), places=[{"name": "YNYS MÔN"}, "ynys môn"])
    assert response.status_code == 201, response.content
    assert response.json()["places"] == [{"slug": "ynys-mon", "name": "Ynys Môn"}]
    assert Place.objects.filter(name__icontains="ynys").count() == 1 and place.evaluations.count() == 1


# Organisations: a GOV.UK one by its GOV.UK id (its slug) or name, an evaluator outside
# government by name, added as a plain organisation as the website adds it.

def test_an_evaluator_outside_government_is_named_and_added_as_a_plain_organisation(user):
    from registry.models import Organisation

    client = token_client(user)
    response = post(client, organisations=[
        {"organisation": {"name": " NatCen  Social Research "}, "role": "evaluator"},
        {"organisation": "department-for-education", "role": "commissioner"},
    ])
    assert response.status_code == 201, response.content
    roles = {(o["name"], o["role"], o["govuk_url"]) for o in response.json()["organisations"]}
    assert roles == {("NatCen Social Research", "evaluator", ""),
                     ("Department for Education (DfE)", "commissioner",
                      "https://www.gov.uk/government/organisations/department-for-education")}
    natcen = Organisation.objects.get(name="NatCen Social Research")
    assert natcen.is_govuk is False and natcen.slug == "natcen-social-research"
    again = post(client, title="A second NatCen evaluation", organisations=[
        {"organisation": {"name": "natcen social research"}, "role": "evaluator"},
        {"organisation": "department for education (dfe)", "role": "commissioner"},
    ])
    assert again.status_code == 201, again.content
    assert Organisation.objects.filter(name__iexact="natcen social research").count() == 1
    assert {o["slug"] for o in again.json()["organisations"]} == {"natcen-social-research", "department-for-education"}


def test_a_new_organisation_named_twice_in_one_role_is_refused_and_nothing_is_stored(user):
    from registry.models import Organisation

    response = post(token_client(user), organisations=[
        {"organisation": {"name": "Coram"}, "role": "evaluator"},
        {"organisation": {"name": "CORAM"}, "role": "evaluator"},
    ])
    assert response.status_code == 400
    assert response.json()["errors"]["organisations"] == {
        "1": {"organisation": ["This organisation is already listed with this role"]}}
    assert not Organisation.objects.filter(name__iexact="coram").exists()


@pytest.mark.parametrize(("value", "message"), [
    ({"name": " "}, "Enter the organisation's name."),
    ("no-such-organisation", "“no-such-organisation” is not a known organisation: see /api/v1/organisations/, "
                             'or send {"name": "..."} to add one that is not listed.'),
])
def test_a_bad_organisation_gets_a_message(user, value, message):
    response = post(token_client(user), organisations=[{"organisation": value, "role": "evaluator"}])
    assert response.status_code == 400
    assert response.json()["errors"]["organisations"]["0"]["organisation"] == [message]
