from django.urls import path

from surveys import views

app_name = "surveys"

# Mounted under t/<slug:tenant_slug>/surveys/ by config/urls.py.
urlpatterns = [
    path("", views.index, name="index"),
    path("public/new/", views.survey_new, name="survey_new"),
    path("public/<int:survey_id>/", views.survey_detail, name="survey"),
    path("public/<int:survey_id>/progress/", views.survey_progress, name="survey_progress"),
    path("public/<int:survey_id>/settings/", views.survey_settings, name="survey_settings"),
    path("public/<int:survey_id>/questionnaires/new/", views.questionnaire_new, name="questionnaire_new"),
    path("public/<int:survey_id>/strata/new/", views.stratum_new, name="stratum_new"),
    path("public/<int:survey_id>/batches/new/", views.batch_new, name="batch_new"),
    path("public/<int:survey_id>/batches/<int:batch_id>/", views.batch_entry, name="batch"),
    path("public/<int:survey_id>/batches/<int:batch_id>/resolve/", views.batch_resolve, name="batch_resolve"),
    path("public/<int:survey_id>/batches/<int:batch_id>/close/", views.batch_close, name="batch_close"),
    path("public/<int:survey_id>/results/", views.survey_results, name="survey_results"),
    path("public/<int:survey_id>/results.xlsx", views.survey_results_xlsx, name="survey_results_xlsx"),
    path("democratic/new/", views.democratic_new, name="democratic_new"),
    path("democratic/<int:evaluation_id>/", views.democratic_detail, name="democratic"),
    path("democratic/<int:evaluation_id>/groups/new/", views.group_new, name="group_new"),
    path("democratic/<int:evaluation_id>/tokens/new/", views.tokens_new, name="tokens_new"),
    path("democratic/<int:evaluation_id>/sheets/", views.ballot_sheets, name="ballot_sheets"),
    path("democratic/<int:evaluation_id>/results.xlsx", views.democratic_results_xlsx, name="democratic_xlsx"),
]
