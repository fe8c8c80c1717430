app_name = "surveys_public"

# Public pages with no login (e-poll, democratic-evaluation ballot by token), mounted at p/.
urlpatterns: list = []
