"""``/dataku`` in people's words: labels, not internal values (id and jv)."""

from __future__ import annotations

import pytest

from tests.announcing import villager
from tests.helping import ask_for_help
from tests.test_checklist import set_up
from tests.transcript import label


async def _everything(person, user_id: int, locale: str):
    """A prospective migrant with a checklist, reminder settings and a help request."""
    p = await villager(person, user_id, locale=locale, role="prospective")
    await set_up(p, locale, destination="Hong Kong", departure="15-03-2027")
    await p.tap("⬜ " + label(locale, "", "Passport"))
    await p.tap(label(locale, "button", "✅ Mark as done"))
    await p.say("/pengingat")
    await p.tap(label(locale, "button", "🕒 Time zone"))
    await p.tap(label(locale, "", "Hong Kong"))
    await p.tap(label(locale, "button", "🌙 Quiet hours"))
    await p.tap("22:00–07:00")
    await ask_for_help(p, locale=locale)
    return p


EXPECTED = {
    "id": (
        "Semua data yang disimpan tentang Anda\n"
        "• ID Telegram (nomor akun, bukan nomor HP): 1201\n"
        "• Bahasa: Bahasa Indonesia\n"
        "• Persetujuan pengolahan data: diberikan pada 1 Desember 2026, 10.00\n"
        "• Anda sebagai: Ingin bekerja ke luar negeri\n"
        "• Desa: Jogosimo (Klirong, Kebumen)\n"
        "• Pengumuman: diterima (/berhenti untuk menghentikannya)\n"
        "• Zona waktu: Hong Kong\n"
        "• Jam senyap untuk pengingat: 22:00–07:00\n"
        "• Pengingat: aktif\n"
        "• Pertama kali menghubungi: 1 Desember 2026, 10.00\n"
        "• Perubahan terakhir: 1 Desember 2026, 10.00\n"
        "• Daftar persiapan keberangkatan — jalur: Lewat perusahaan resmi (P3MI); negara "
        "tujuan: Hong Kong; bidang kerja: PRT, merawat orang tua/sakit; berangkat: 15 Maret "
        "2027; perusahaan: PT Maju\n"
        "• Selesai: Paspor (1 Desember 2026, 10.00)\n"
        "• Permintaan bantuan DM-2026-000001 (📵 Hilang kontak, 📨 Diterima: menunggu petugas, "
        "dikirim 1 Desember 2026, 10.00): data yang Anda berikan, cerita kejadian dari Anda, "
        "0 lampiran, dan 0 pesan\n\n"
        "Tidak ada data lain yang disimpan. Untuk menghapus semuanya, kirim /hapusdata."
    ),
    "jv": (
        "Sedaya data bab panjenengan ingkang dipunsimpen\n"
        "• ID Telegram (nomer akun, sanes nomer HP): 1201\n"
        "• Basa: Basa Jawa\n"
        "• Persetujuan pangolahan data: dipunparingaken ing 1 Desember 2026, 10:00\n"
        "• Panjenengan minangka: Badhe makarya ing luar negeri\n"
        "• Desa: Jogosimo (Klirong, Kebumen)\n"
        "• Wara-wara: dipuntampi (/berhenti kangge mandhegaken)\n"
        "• Zona wekdal: Hong Kong\n"
        "• Jam sepen kangge pangeling-eling: 22:00–07:00\n"
        "• Pangeling-eling: aktif\n"
        "• Kontak sepisanan: 1 Desember 2026, 10:00\n"
        "• Ewahan pungkasan: 1 Desember 2026, 10:00\n"
        "• Daftar persiapan bidhal — margi: Lumantar PT penempatan (P3MI); negari tujuan: Hong "
        "Kong; bidang: PRT, ngrimati sepuh/sakit; bidhal: 15 Maret 2027; perusahaan: PT Maju\n"
        "• Sampun: Paspor (1 Desember 2026, 10:00)\n"
        "• Panyuwunan pitulungan DM-2026-000001 (📵 Kecalan kabar, 📨 Sampun dipuntampi: "
        "ngentosi petugas, dipunkintun 1 Desember 2026, 10:00): katrangan ingkang panjenengan "
        "isi, cariyos panjenengan, 0 lampiran saha 0 pesen\n\n"
        "Boten wonten data sanes ingkang dipunsimpen. Kangge mbusak sedayanipun, sumangga "
        "ngintun /hapusdata."
    ),
}


@pytest.mark.parametrize("locale", ["id", "jv"])
async def test_dataku_shows_labels_not_internal_values(person, locale):
    p = await _everything(person, 1201, locale)
    reply = await p.say("/dataku")
    assert reply.text == EXPECTED[locale]
    for internal in ("prospective", "jogosimo", "p3mi", "Asia/", "{", "None"):
        assert internal not in reply.text


async def test_someone_who_declined_sees_only_what_is_kept(person):
    p = await villager(person, 1202, locale="jv", consent=False)
    reply = await p.say("/dataku")
    assert reply.text == (
        "Sedaya data bab panjenengan ingkang dipunsimpen\n"
        "• ID Telegram (nomer akun, sanes nomer HP): 1202\n"
        "• Basa: Basa Jawa\n"
        "• Persetujuan pangolahan data: dipuntampik ing 1 Desember 2026, 09:00\n"
        "• Kontak sepisanan: 1 Desember 2026, 09:00\n"
        "• Ewahan pungkasan: 1 Desember 2026, 09:00\n\n"
        "Boten wonten data sanes ingkang dipunsimpen. Kangge mbusak sedayanipun, sumangga "
        "ngintun /hapusdata."
    )


async def test_an_unfinished_dialog_is_named_in_words(person):
    p = await villager(person, 1203)
    await ask_for_help(p, send=False)  # at the review, not sent yet
    reply = await p.say("/dataku")
    lines = reply.messages[0].text.split("\n")
    assert "• Belum selesai: menulis permintaan bantuan (/batal untuk membatalkannya)" in lines
    kept = "• Jawaban Anda di situ sejauh ini, disimpan sampai Anda menyelesaikan atau "
    assert kept + "membatalkannya" in lines
