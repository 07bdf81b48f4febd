"""Administration: who may log in, with which role, and a backup of the database."""

import streamlit as st

import ui
from geo import auth, backup
from geo.access import Action, Role, User
from ui import t
from ui.writes import keep_outcome, outcome_pending, show_outcome

# A form keeps what was typed when it is refused; after a success the next run empties its
# typed fields before they are drawn (a form cleared on every submit lost a refused entry,
# and put the first user back into the change form) and says what was done.
EMPTIED = {"add_user_form": ("add_username", "add_display_name", "add_password"),
           "change_user_form": ("change_password",)}


def _done(form: str, message: str) -> None:
    keep_outcome(form, message)
    st.rerun()


def _empty_after_success(form: str) -> None:
    if outcome_pending(form):
        for key in EMPTIED[form]:
            st.session_state[key] = ""


def add_user_form(user: User, departments: dict[str, str]) -> None:
    _empty_after_success("add_user_form")
    with st.form("add_user_form"):
        st.subheader(t("admin.add_user"))
        left, right = st.columns(2)
        username = left.text_input(t("login.username"), key="add_username")
        display_name = right.text_input(t("setup.display_name"), key="add_display_name")
        role = left.selectbox(t("admin.role"), [r.value for r in Role], key="add_role",
                              format_func=lambda r: t(f"role.{r}"), required=True)
        department = right.selectbox(t("admin.department"), [None, *departments],
                                     key="add_department",
                                     format_func=lambda c: "—" if c is None else departments[c],
                                     placeholder="—")
        password = st.text_input(t("login.password"), type="password", key="add_password")
        if st.form_submit_button(t("admin.add_submit"), type="primary"):
            with ui.reporting_errors():
                auth.create_user(ui.get_engine(), user, username, role, department, password,
                                 display_name)
                _done("add_user_form", t("admin.added", name=ui.plain(username)))
        show_outcome("add_user_form")


def change_user_form(user: User, usernames: list[str]) -> None:
    _empty_after_success("change_user_form")
    with st.form("change_user_form"):
        st.subheader(t("admin.change_user"))
        name = st.selectbox(t("login.username"), usernames, key="change_username",
                            required=True)
        password = st.text_input(t("admin.new_password"), type="password",
                                 key="change_password")
        left, right = st.columns(2)
        reset = left.form_submit_button(t("admin.reset_submit"))
        deactivate = right.form_submit_button(t("admin.deactivate_submit"))
        with ui.reporting_errors():
            if reset:
                auth.reset_password(ui.get_engine(), user, name, password)
                _done("change_user_form", t("admin.reset_done", name=ui.plain(name)))
            if deactivate:
                auth.deactivate_user(ui.get_engine(), user, name)
                _done("change_user_form", t("admin.deactivated", name=ui.plain(name)))
        show_outcome("change_user_form")


def render() -> None:
    user, _period = ui.page(Action.MANAGE_USERS, "page.admin")
    engine = ui.get_engine()
    departments = ui.department_choices()
    add_user_form(user, departments)
    users = auth.list_users(engine, user)
    change_user_form(user, users.loc[users["active"], "username"].tolist())
    st.subheader(t("admin.users"))
    ui.table(users.assign(role=users["role"].map(lambda r: t(f"role.{r}")),
                          department_code=users["department_code"].map(departments)),
             "admin_users", empty=t("admin.no_users"), column_config={
                 "username": st.column_config.TextColumn(t("field.username")),
                 "display_name": st.column_config.TextColumn(t("field.display_name")),
                 "role": st.column_config.TextColumn(t("field.role")),
                 "department_code": st.column_config.TextColumn(t("field.department")),
                 "active": st.column_config.CheckboxColumn(t("field.active")),
                 "failed_logins": st.column_config.NumberColumn(t("admin.failed_logins")),
             })
    st.subheader(t("admin.backup"))
    st.caption(t("admin.backup_explain"))
    if engine.dialect.name == "sqlite":
        st.download_button(t("admin.backup_download"), lambda: backup.backup_sqlite(engine, user),
                           file_name="pairmap-backup.db", key="admin_backup",
                           mime="application/octet-stream")


render()
