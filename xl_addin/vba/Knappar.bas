Attribute VB_Name = "Knappar"
Option Explicit
' Each button calls one function in xl_addin.buttons through xlwings' RunPython.
' Each Python command is fixed text: nothing a user types ever goes into it.

' Late-bound: the generated VBA project has no reference to the xlwings add-in, so RunPython
' (a public function of xlwings.xlam) is called through Application.Run. Private, so it is not
' offered as a macro; with a reference to xlwings added by hand, this one still takes precedence.
Private Sub RunPython(ByVal PythonCommand As String)
    Application.Run "'xlwings.xlam'!RunPython", PythonCommand
End Sub

Sub Kontrollera()
    RunPython "import xl_addin.buttons as b; b.check()"
End Sub

Sub FlaggaSenaListor()
    RunPython "import xl_addin.buttons as b; b.flag_late_rosters()"
End Sub

Sub MarkeraUteblivanden()
    RunPython "import xl_addin.buttons as b; b.mark_no_shows()"
End Sub

Sub SkapaJournaltexter()
    RunPython "import xl_addin.buttons as b; b.journal_phrases()"
End Sub

Sub ExporteraRegistreringslista()
    RunPython "import xl_addin.buttons as b; b.export_registrations()"
End Sub

Sub Intresseanmalningar()
    RunPython "import xl_addin.buttons as b; b.plan_interest()"
End Sub

Sub NyGrupp()
    RunPython "import xl_addin.buttons as b; b.new_groups()"
End Sub

Sub UppdateraAllt()
    RunPython "import xl_addin.buttons as b; b.refresh_all()"
End Sub

Sub ArkiveraAvslutadeGrupper()
    RunPython "import xl_addin.buttons as b; b.archive()"
End Sub
