from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("exams.api.urls")),
    path("lti/", include("lti.urls")),
    path("api/v1/", include("webhooks.api.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("instructor/courses/", include("lti_grades.urls")),
    path("", include("manual_marking.urls")),
    path("instructor/courses/", include("results.urls")),
    path("", include("autosave.urls")),
    path("", include("progress.urls")),
    path("instructor/courses/", include("regrades.urls")),
    path("", include("frontend.urls")),
]

handler400 = "config.error_views.bad_request"
handler403 = "config.error_views.permission_denied"
handler404 = "config.error_views.page_not_found"
handler500 = "config.error_views.server_error"
