Attribute VB_Name = "Knappar"
Option Explicit
' Each button calls one function in xl_addin.buttons through xlwings' RunPython.
' Each Python command is fixed text: nothing a user types ever goes into it.

' Late-bound: the generated VBA project has no reference to the xlwings add-in, so RunPython
' (a public function of xlwings.xlam) is called through Application.Run. Private, so it is not
' offered as a macro; with a reference to xlwings added by hand, this one still takes precedence.
' Errors are caught here, once for every button: without the add-in Excel would stop with its own
' error 1004 ("Cannot run the macro ..."), which tells a secretary nothing. The messages are Swedish
' and this file stays ASCII: a, a and o with rings and dots are written as ChrW(229), ChrW(228),
' ChrW(246). Python's own errors are shown by the add-in and by our Python code, not here.
Private Sub RunPython(ByVal PythonCommand As String)
    On Error GoTo Failed
    If Not AddinIsOpen() Then
        MsgBox AddinMissingMessage(), vbExclamation, "BUP Gruppbokningar"
        Exit Sub
    End If
    Application.Run "'xlwings.xlam'!RunPython", PythonCommand
    Exit Sub
Failed:
    MsgBox StartFailedMessage(Err.Number), vbExclamation, "BUP Gruppbokningar"
End Sub

' An open add-in is not listed in Workbooks, but can be looked up there by its name.
Private Function AddinIsOpen() As Boolean
    Dim Addin As Object
    On Error Resume Next
    Set Addin = Application.Workbooks("xlwings.xlam")
    AddinIsOpen = Not Addin Is Nothing
    On Error GoTo 0
End Function

Private Function AddinMissingMessage() As String
    AddinMissingMessage = "Knappen kan inte k" & ChrW(246) & "ras: till" & ChrW(228) & "gget xlwings " & _
        ChrW(228) & "r inte inl" & ChrW(228) & "st i Excel p" & ChrW(229) & " den h" & ChrW(228) & "r datorn." & _
        vbNewLine & vbNewLine & "Inget har " & ChrW(228) & "ndrats i arbetsboken." & vbNewLine & vbNewLine & _
        "Kontakta IT-kontakten: till" & ChrW(228) & "gget installeras med install.py --klient " & _
        "(se docs/excel.md i BUP Gruppbokningar). Om fliken xlwings har f" & ChrW(246) & "rsvunnit kan " & _
        "antivirusprogrammet ha satt till" & ChrW(228) & "gget i karant" & ChrW(228) & "n."
End Function

Private Function StartFailedMessage(ByVal Number As Long) As String
    StartFailedMessage = "Knappen kunde inte starta Python (Excel-fel " & Number & ")." & vbNewLine & vbNewLine & _
        "Kontakta IT-kontakten och ber" & ChrW(228) & "tta vilken knapp du klickade p" & ChrW(229) & ". " & _
        "Vanliga orsaker: Defender-regeln som hindrar Office fr" & ChrW(229) & "n att starta andra program, " & _
        "eller att Python inte " & ChrW(228) & "r installerat som install.py --klient skrev in det " & _
        "(se docs/excel.md)."
End Function

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
