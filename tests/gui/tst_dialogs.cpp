// RunDialog and PullDialog driven through their widgets: typing, clicking, and the signals the
// owner (the main window) relies on. No engine: the test plays the owner's part.
#include "Dialogs.h"
#include "Format.h"
#include "PullDialog.h"
#include "RunDialog.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTreeWidget>

using berth::app::PullDialog;
using berth::app::RunDialog;
using berth::engine::ContainerSpec;
using berth::engine::ProgressMessage;

namespace {

template <typename T> T* child(QWidget& parent, const char* name)
{
    auto* widget = parent.findChild<T*>(name);
    if (!widget)
        qFatal("no %s named %s", T::staticMetaObject.className(), name);
    return widget;
}

QStringList qStrings(const std::vector<std::string>& list)
{
    QStringList out;
    for (const auto& s : list)
        out << QString::fromStdString(s);
    return out;
}

ProgressMessage line(const char* json)
{
    return ProgressMessage::fromJson(nlohmann::json::parse(json));
}

// Selects everything in a line edit and deletes it, as a person would.
void clearByKeys(QLineEdit* edit)
{
    QTest::keyClick(edit, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClick(edit, Qt::Key_Delete);
}

bool looksRed(const QWidget* widget)
{
    const auto colour = widget->palette().color(QPalette::WindowText);
    return colour.red() > 150 && colour.green() < 100 && colour.blue() < 100;
}

} // namespace

class TestDialogs final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        // The byte figures use the locale's decimal point.
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    }

    void runDialogChecksWhileTyping()
    {
        RunDialog dialog;
        dialog.setImages({"busybox:1", "nginx:1.25"});
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));

        auto* image = child<QComboBox>(dialog, "runImage");
        auto* ports = child<QLineEdit>(dialog, "runPorts");
        auto* errors = child<QLabel>(dialog, "runErrors");
        auto* run = child<QPushButton>(dialog, "runButton");
        QCOMPARE(run->text(), QString("Run"));
        QCOMPARE(ports->placeholderText(), QString("8080:80, 5432:5432"));
        QCOMPARE(image->count(), 2);
        QVERIFY(image->currentText().isEmpty()); // no image is picked for the user

        // Nothing typed yet: the image is missing, and the form says so.
        QVERIFY(!run->isEnabled());
        QVERIFY(errors->isVisible());
        QVERIFY(errors->text().startsWith("Image: required"));

        QTest::keyClicks(image->lineEdit(), "alpine:3.19");
        QCOMPARE(image->currentText(), QString("alpine:3.19"));
        QVERIFY(!errors->isVisible());
        QVERIFY(run->isEnabled());

        QTest::keyClicks(ports, "8080:abc");
        QVERIFY(errors->isVisible());
        QVERIFY(looksRed(errors));
        QCOMPARE(errors->text(),
                 QString("Ports: \"8080:abc\" — the container port must be a number from 1 to 65535 "
                         "(write HOST:CONTAINER, e.g. 8080:80)"));
        QVERIFY(!run->isEnabled());

        // Clicking the disabled button does nothing.
        QSignalSpy runs(&dialog, &RunDialog::runRequested);
        QTest::mouseClick(run, Qt::LeftButton);
        QCOMPARE(runs.count(), 0);

        for (int i = 0; i < 3; ++i)
            QTest::keyClick(ports, Qt::Key_Backspace);
        QTest::keyClicks(ports, "80");
        QCOMPARE(ports->text(), QString("8080:80"));
        QVERIFY(!errors->isVisible());
        QVERIFY(run->isEnabled());

        // A second bad field: both messages at once.
        auto* name = child<QLineEdit>(dialog, "runName");
        QTest::keyClicks(name, "-x");
        QTest::keyClicks(ports, ",99999");
        QCOMPARE(errors->text().split('\n').size(), 2);
        QVERIFY(errors->text().contains("Name: \"-x\""));
        QVERIFY(errors->text().contains("Ports: \"99999\""));
        clearByKeys(name);
        for (int i = 0; i < 6; ++i)
            QTest::keyClick(ports, Qt::Key_Backspace);
        QVERIFY(!errors->isVisible());

        // setImages keeps what was typed.
        dialog.setImages({"redis:7"});
        QCOMPARE(image->currentText(), QString("alpine:3.19"));
    }

    void runDialogRequestsRunAndWaitsForTheOwner()
    {
        RunDialog dialog;
        dialog.setImage("nginx:1.25");
        dialog.open();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));

        auto* image = child<QComboBox>(dialog, "runImage");
        auto* name = child<QLineEdit>(dialog, "runName");
        auto* ports = child<QLineEdit>(dialog, "runPorts");
        auto* env = child<QPlainTextEdit>(dialog, "runEnv");
        auto* volumes = child<QPlainTextEdit>(dialog, "runVolumes");
        auto* command = child<QLineEdit>(dialog, "runCommand");
        auto* remove = child<QCheckBox>(dialog, "runRemove");
        auto* errors = child<QLabel>(dialog, "runErrors");
        auto* run = child<QPushButton>(dialog, "runButton");
        QCOMPARE(image->currentText(), QString("nginx:1.25"));
        QCOMPARE(remove->text(), QString("Remove when it exits"));
        QCOMPARE(env->placeholderText(), QString("KEY=value, one per line"));

        QTest::keyClicks(name, "web-1");
        QTest::keyClicks(ports, "8080:80, 127.0.0.1:5353:53/udp");
        QTest::keyClicks(env, "GREETING=hello, world");
        QTest::keyClick(env, Qt::Key_Return); // a new line in the box, not the Run button
        QTest::keyClicks(env, "MODE=prod");
        QTest::keyClicks(volumes, "site:/usr/share/nginx/html:ro");
        QTest::keyClicks(command, R"(nginx -g 'daemon off;')");
        remove->setFocus();
        QTest::keyClick(remove, Qt::Key_Space);
        QVERIFY(remove->isChecked());
        QVERIFY2(!errors->isVisible(), qPrintable(errors->text()));
        QVERIFY(run->isEnabled());

        QSignalSpy runs(&dialog, &RunDialog::runRequested);
        QTest::mouseClick(run, Qt::LeftButton);
        QCOMPARE(runs.count(), 1);
        QVERIFY(dialog.isVisible()); // Run leaves it to the owner to close the dialog
        const auto spec = qvariant_cast<ContainerSpec>(runs.at(0).at(0));
        QCOMPARE(spec.image, std::string("nginx:1.25"));
        QCOMPARE(spec.name, std::string("web-1"));
        QCOMPARE(spec.ports.size(), std::size_t(2));
        QCOMPARE(spec.ports[0].hostPort, 8080);
        QCOMPARE(spec.ports[0].containerPort, 80);
        QCOMPARE(spec.ports[0].protocol, std::string("tcp"));
        QCOMPARE(spec.ports[1].hostIp, std::string("127.0.0.1"));
        QCOMPARE(spec.ports[1].hostPort, 5353);
        QCOMPARE(spec.ports[1].containerPort, 53);
        QCOMPARE(spec.ports[1].protocol, std::string("udp"));
        QCOMPARE(qStrings(spec.env), (QStringList{"GREETING=hello, world", "MODE=prod"}));
        QCOMPARE(qStrings(spec.binds), QStringList{"site:/usr/share/nginx/html:ro"});
        QCOMPARE(qStrings(spec.cmd), (QStringList{"nginx", "-g", "daemon off;"}));
        QVERIFY(spec.autoRemove);
        QCOMPARE(qStrings(dialog.spec().cmd), qStrings(spec.cmd));

        // The owner creates the container: the form is locked meanwhile.
        dialog.setBusy(true, "Creating web-1…");
        QVERIFY(dialog.isBusy());
        QVERIFY(!run->isEnabled());
        QVERIFY(!name->isEnabled());
        QVERIFY(!env->isEnabled());
        QVERIFY(!image->isEnabled());
        auto* status = child<QLabel>(dialog, "runStatus");
        QVERIFY(status->isVisible());
        QCOMPARE(status->text(), QString("Creating web-1…"));
        // Return now neither runs again nor closes the dialog.
        QTest::keyClick(QApplication::focusWidget() ? QApplication::focusWidget() : &dialog, Qt::Key_Return);
        QCOMPARE(runs.count(), 1);
        QVERIFY(dialog.isVisible());

        // It fails: the engine's words show, everything typed is still there, and Run works again.
        const QString conflict =
            R"(Conflict. The container name "/web-1" is already in use by container "0a1b2c".)";
        dialog.showError(conflict);
        QVERIFY(!dialog.isBusy());
        QVERIFY(errors->isVisible());
        QCOMPARE(errors->text(), conflict);
        QVERIFY(!status->isVisible());
        QVERIFY(name->isEnabled());
        QVERIFY(run->isEnabled());
        QCOMPARE(ports->text(), QString("8080:80, 127.0.0.1:5353:53/udp"));

        // A new name; Return in a line edit presses Run.
        clearByKeys(name);
        QTest::keyClicks(name, "web-2");
        QVERIFY(!errors->isVisible());
        QTest::keyClick(name, Qt::Key_Return);
        QCOMPARE(runs.count(), 2);
        QCOMPARE(qvariant_cast<ContainerSpec>(runs.at(1).at(0)).name, std::string("web-2"));

        dialog.setBusy(true, "Starting web-2…");
        dialog.accept();
        QVERIFY(!dialog.isVisible());
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.spec().name, std::string("web-2"));
    }

    void pullDialogShowsLayers()
    {
        PullDialog dialog;
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto* reference = child<QLineEdit>(dialog, "pullReference");
        auto* pull = child<QPushButton>(dialog, "pullButton");
        auto* layers = child<QTreeWidget>(dialog, "pullLayers");
        auto* status = child<QLabel>(dialog, "pullStatus");
        auto* cancel = child<QPushButton>(dialog, "pullCancel");
        QCOMPARE(reference->placeholderText(), QString("registry.example:5000/repo:tag"));

        QVERIFY(!pull->isEnabled());
        QTest::keyClicks(reference, "x/y 1");
        QVERIFY(!pull->isEnabled()); // a blank inside is no reference
        QTest::keyClick(reference, Qt::Key_Backspace);
        QTest::keyClick(reference, Qt::Key_Backspace);
        QTest::keyClicks(reference, ":1");
        QCOMPARE(dialog.reference(), QString("x/y:1"));
        QVERIFY(pull->isEnabled());

        QSignalSpy pulls(&dialog, &PullDialog::pullRequested);
        QTest::mouseClick(pull, Qt::LeftButton);
        QCOMPARE(pulls.count(), 1);
        QCOMPARE(pulls.at(0).at(0).toString(), QString("x/y:1"));
        QVERIFY(dialog.isPulling());
        QVERIFY(!pull->isEnabled());
        QVERIFY(!reference->isEnabled());

        dialog.progress(line(R"({"status":"Pulling from x/y","id":"1"})"));
        QCOMPARE(status->text(), QString("Pulling from x/y"));
        QCOMPARE(layers->topLevelItemCount(), 0); // the tag is not a layer

        dialog.progress(line(R"({"status":"Pulling fs layer","progressDetail":{},"id":"a1b2c3"})"));
        QCOMPARE(layers->topLevelItemCount(), 1);
        auto* row = layers->topLevelItem(0);
        auto* bar = qobject_cast<QProgressBar*>(layers->itemWidget(row, PullDialog::ProgressColumn));
        QVERIFY(bar);
        QCOMPARE(row->text(PullDialog::LayerColumn), QString("a1b2c3"));
        QCOMPARE(row->text(PullDialog::StatusColumn), QString("Pulling fs layer"));
        QCOMPARE(bar->value(), bar->minimum());

        dialog.progress(line(
            R"({"status":"Downloading","progressDetail":{"current":1024,"total":4096},"progress":"[==>   ] 1kB/4kB","id":"a1b2c3"})"));
        QCOMPARE(layers->topLevelItemCount(), 1);
        QCOMPARE(row->text(PullDialog::StatusColumn), QString("Downloading"));
        QCOMPARE(bar->value(), bar->maximum() / 4);
        QCOMPARE(row->text(PullDialog::BytesColumn), QString("1.0 kB / 4.1 kB"));

        dialog.progress(line(R"({"status":"Pull complete","progressDetail":{},"id":"a1b2c3"})"));
        QCOMPARE(row->text(PullDialog::StatusColumn), QString("Pull complete"));
        QCOMPARE(bar->value(), bar->maximum());
        QCOMPARE(row->text(PullDialog::BytesColumn), QString("4.1 kB"));

        dialog.progress(line(
            R"({"status":"Digest: sha256:6f1c2b3a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"})"));
        QVERIFY(status->text().startsWith("Digest: sha256:6f1c"));
        dialog.progress(line(R"({"status":"Status: Downloaded newer image for x/y:1"})"));
        QCOMPARE(status->text(), QString("Status: Downloaded newer image for x/y:1"));
        QCOMPARE(layers->topLevelItemCount(), 1);

        dialog.finished(true, {});
        QVERIFY(!dialog.isPulling());
        QCOMPARE(status->text(), QString("Pulled x/y:1"));
        QVERIFY(!looksRed(status));
        QCOMPARE(cancel->text(), QString("Close"));
        QVERIFY(pull->isEnabled());

        // Close closes.
        QTest::mouseClick(cancel, Qt::LeftButton);
        QVERIFY(!dialog.isVisible());
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
    }

    void pullDialogShowsFailureAndRetries()
    {
        PullDialog dialog;
        dialog.setReference("registry.example:5000/nope:1");
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto* pull = child<QPushButton>(dialog, "pullButton");
        auto* layers = child<QTreeWidget>(dialog, "pullLayers");
        auto* status = child<QLabel>(dialog, "pullStatus");
        auto* reference = child<QLineEdit>(dialog, "pullReference");

        QSignalSpy pulls(&dialog, &PullDialog::pullRequested);
        QTest::keyClick(reference, Qt::Key_Return); // Pull is the default button
        QCOMPARE(pulls.count(), 1);
        dialog.progress(line(R"({"status":"Waiting","progressDetail":{},"id":"d4e5f6"})"));
        QCOMPARE(layers->topLevelItemCount(), 1);

        const QString error = "manifest unknown";
        dialog.finished(false, error);
        QVERIFY(!dialog.isPulling());
        QVERIFY(status->isVisible());
        QCOMPARE(status->text(),
                 QString("registry.example:5000/nope:1 was not found in registry.example:5000: check "
                         "the name and the tag.\nThe engine said: manifest unknown"));
        QVERIFY(looksRed(status));
        QVERIFY(pull->isEnabled());
        QVERIFY(reference->isEnabled());
        QCOMPARE(layers->topLevelItemCount(), 1); // where it stopped stays visible

        // Retry: a fresh pull starts with an empty table and a neutral status.
        QTest::mouseClick(pull, Qt::LeftButton);
        QCOMPARE(pulls.count(), 2);
        QCOMPARE(layers->topLevelItemCount(), 0);
        QVERIFY(!looksRed(status));
        QVERIFY(dialog.isPulling());
    }

    // The engine's errors in words a person can act on, its own words kept below.
    void pullErrorsInPlainWords()
    {
        using berth::app::pullErrorText;
        const QString offline =
            "Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io on "
            "10.0.2.3:53: no such host";
        const auto text = pullErrorText("busybox:latest", offline);
        QVERIFY2(text.startsWith("Cannot reach Docker Hub: its name could not be looked up."),
                 qPrintable(text));
        QVERIFY(text.endsWith("The engine said: " + offline));
        QVERIFY(pullErrorText("localhost:5000/app:1",
                              "Get \"https://localhost:5000/v2/\": dial tcp 127.0.0.1:5000: "
                              "connect: connection refused")
                    .startsWith("Cannot reach localhost:5000."));
        QVERIFY(pullErrorText("reg.example.com/team/app:1", "unauthorized: authentication required")
                    .startsWith("reg.example.com refused access to reg.example.com/team/app:1: sign in to "
                                "reg.example.com first"));
        QVERIFY(pullErrorText("10.0.2.2:5000/x:1",
                              "Get \"https://10.0.2.2:5000/v2/\": http: server gave HTTP "
                              "response to HTTPS client")
                    .contains("insecure registries"));
        QCOMPARE(pullErrorText("x/y:1", ""), QString("Pulling x/y:1 failed."));

        PullDialog dialog;
        dialog.setReference("busybox:latest");
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QTest::mouseClick(child<QPushButton>(dialog, "pullButton"), Qt::LeftButton);
        dialog.finished(false, offline);
        auto* status = child<QLabel>(dialog, "pullStatus");
        QCOMPARE(status->text(), text);
        QVERIFY(status->wordWrap());
        QVERIFY(looksRed(status));
    }

    // A name is checked as it is typed; nothing typed is thrown away, and OK waits for a good one.
    void textDialogChecksAsItIsTyped()
    {
        QWidget parent;
        auto* dialog = new berth::app::TextDialog(&parent, "createVolume", "Create volume",
                                                  "Name of the new volume:", berth::app::objectNameProblem);
        QSignalSpy accepted(dialog, &berth::app::TextDialog::textAccepted);
        dialog->open();
        QVERIFY(QTest::qWaitForWindowExposed(dialog));
        QVERIFY(dialog->width() >= dialog->fontMetrics().horizontalAdvance("Create volume") + 100);
        QVERIFY(!dialog->okButton()->isEnabled());
        QVERIFY(!dialog->problemLabel()->isVisible()); // nothing typed is not wrong yet

        QTest::keyClicks(dialog->field(), "my volume");
        QVERIFY(!dialog->okButton()->isEnabled());
        QVERIFY(dialog->problemLabel()->isVisible());
        QVERIFY2(dialog->problemLabel()->text().contains("\"my volume\" is not a valid name"),
                 qPrintable(dialog->problemLabel()->text()));
        QTest::keyClick(dialog->field(), Qt::Key_Return);
        QVERIFY(dialog->isVisible());
        QCOMPARE(accepted.count(), 0);
        QCOMPARE(dialog->field()->text(), QString("my volume")); // kept, to be corrected

        QTest::keyClick(dialog->field(), Qt::Key_Home);
        QTest::keyClick(dialog->field(), Qt::Key_Right);
        QTest::keyClick(dialog->field(), Qt::Key_Right);
        QTest::keyClick(dialog->field(), Qt::Key_Delete);
        QTest::keyClicks(dialog->field(), "-");
        QCOMPARE(dialog->field()->text(), QString("my-volume"));
        QVERIFY(dialog->okButton()->isEnabled());
        QVERIFY(!dialog->problemLabel()->isVisible());
        QTest::keyClick(dialog->field(), Qt::Key_Return);
        QCOMPARE(accepted.count(), 1);
        QCOMPARE(accepted.at(0).at(0).toString(), QString("my-volume"));
        QVERIFY(berth::app::objectNameProblem("x").contains("at least two"));
        QVERIFY(berth::app::objectNameProblem("_x").size() > 0);
        QVERIFY(berth::app::objectNameProblem("a.b_c-1").isEmpty());
    }

    void layerInstructionsReadAsDockerfileLines()
    {
        using berth::app::layerInstruction;
        QCOMPARE(layerInstruction("/bin/sh -c #(nop)  CMD [\"sh\"]"), QString("CMD [\"sh\"]"));
        QCOMPARE(layerInstruction("/bin/sh -c #(nop) ADD file:0e1d in / "), QString("ADD file:0e1d in /"));
        QCOMPARE(layerInstruction("/bin/sh -c apk add --no-cache curl"),
                 QString("RUN apk add --no-cache curl"));
        QCOMPARE(layerInstruction("RUN /bin/sh -c echo hi > /x # buildkit"), QString("RUN echo hi > /x"));
        QCOMPARE(layerInstruction("COPY app /app # buildkit"), QString("COPY app /app"));
        QCOMPARE(layerInstruction("sh -c head -c 3000000 /dev/urandom >/blob"),
                 QString("sh -c head -c 3000000 /dev/urandom >/blob"));
        QCOMPARE(layerInstruction(""), QString());
    }

    void pullDialogCancels()
    {
        PullDialog dialog;
        dialog.setReference("x/y:1");
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto* pull = child<QPushButton>(dialog, "pullButton");
        auto* cancel = child<QPushButton>(dialog, "pullCancel");
        auto* status = child<QLabel>(dialog, "pullStatus");
        QCOMPARE(cancel->text(), QString("Cancel"));

        QSignalSpy cancels(&dialog, &PullDialog::cancelRequested);
        QTest::mouseClick(pull, Qt::LeftButton);
        QVERIFY(dialog.isPulling());

        QTest::mouseClick(cancel, Qt::LeftButton);
        QCOMPARE(cancels.count(), 1);
        QVERIFY(dialog.isVisible()); // the owner ends the pull; the dialog waits for it
        QVERIFY(dialog.isPulling());
        QTest::keyClick(&dialog, Qt::Key_Escape); // asking again changes nothing
        QCOMPARE(cancels.count(), 1);
        QVERIFY(dialog.isVisible());

        dialog.finished(false, "Cancelled");
        QVERIFY(!dialog.isPulling());
        QCOMPARE(status->text(), QString("Cancelled"));
        QVERIFY(!looksRed(status)); // asked for, so not shown as an error
        QVERIFY(pull->isEnabled());
        QCOMPARE(cancel->text(), QString("Close"));

        // Escape during a second pull asks to cancel too.
        QTest::mouseClick(pull, Qt::LeftButton);
        QTest::keyClick(&dialog, Qt::Key_Escape);
        QCOMPARE(cancels.count(), 2);
        QVERIFY(dialog.isVisible());
        dialog.finished(false, "Cancelled");

        QTest::mouseClick(cancel, Qt::LeftButton);
        QVERIFY(!dialog.isVisible());
        QCOMPARE(cancels.count(), 2);
    }
};

QTEST_MAIN(TestDialogs)
#include "tst_dialogs.moc"
