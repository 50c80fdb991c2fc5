"""The "share an evaluation" journey and moderation. (Routes are added to urlpatterns below.)"""

urlpatterns = []
