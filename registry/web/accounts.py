"""Pages for this area. (Routes are added to urlpatterns below.)"""

urlpatterns = []
