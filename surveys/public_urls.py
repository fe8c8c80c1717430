from django.urls import path

from surveys import public_views
from surveys.api import intake as intake_api
from surveys.api import public as public_api

app_name = "surveys_public"

# Public pages with no login (e-poll, democratic-evaluation ballot by token), mounted at p/.
urlpatterns = [
    path("s/<uuid:public_id>/", public_views.epoll_page, name="epoll"),
    path("s/<uuid:public_id>/code/", public_views.epoll_code, name="epoll_code"),
    path("b/<str:token>/", public_views.ballot_page, name="ballot"),
    path("api/s/<uuid:public_id>/", public_api.EpollFormView.as_view(), name="api_epoll_form"),
    # a plain view answers a well-formed JSON ballot and hands anything else to the DRF view
    path("api/s/<uuid:public_id>/responses/", intake_api.epoll_submit, name="api_epoll_submit"),
    path("api/s/<uuid:public_id>/code/", public_api.EpollCodeView.as_view(), name="api_epoll_code"),
]
