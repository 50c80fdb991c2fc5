"""The "share an evaluation" journey and moderation. (Routes are added to urlpatterns below.)

Registered before the record page's `evaluations/<slug>/`, so `evaluations/new/`
and the longer addresses here match first.
"""
from django.urls import path

from registry.web.submit import history, journey, review, yours

urlpatterns = [
    path("share-an-evaluation/", journey.start_page, name="submit-start-page"),
    path("evaluations/new/", journey.start, name="submit-start"),
    path("evaluations/draft/<int:pk>/submitted/", journey.submitted, name="submit-done"),
    path("evaluations/draft/<int:pk>/check/", journey.check, name="submit-check"),
    path("evaluations/draft/<int:pk>/<slug:step>/", journey.step, name="submit-step"),
    path("evaluations/<slug:slug>/history/", history.record_history, name="evaluation-history"),
    path("evaluations/<slug:slug>/revise/", review.revise, name="evaluation-revise"),
    path("evaluations/<slug:slug>/withdraw/", review.withdraw, name="evaluation-withdraw"),
    path("your-evaluations/", yours.your_evaluations, name="your-evaluations"),
    path("review/", review.queue, name="review-queue"),
    path("review/<int:pk>/", review.review, name="review"),
    path("review/<int:pk>/publish/", review.confirm_publish, name="review-publish"),
]
