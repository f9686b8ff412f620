from django.urls import path

from . import views

app_name = "rounds"
urlpatterns = [
    path("", views.round_list, name="list"),
    path("mo-ky/", views.open_round, name="open"),
    path("<int:round_id>/", views.board, name="board"),
]
