from registry.api import compare_urls

urlpatterns = []
urlpatterns += compare_urls.urlpatterns
